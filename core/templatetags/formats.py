"""Template filters for numbers, money and dates in the active language: `{% load formats %}`, then
`{{ amount|money }}`, `{{ value|number }}` or `{{ value|number:2 }}`, `{{ moment|datetime_text }}`,
`{{ day|date_text }}`, `{{ day|day_heading }}`, `{{ booking.start|period_text:booking.end }}`."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def money(value, decimal_places=2):
    return formatting.money_text(value, int(decimal_places))


@register.filter
def number(value, decimal_places=None):
    return formatting.number_text(value, None if decimal_places in (None, "") else int(decimal_places))


@register.filter
def date_text(value):
    return formatting.date_text(value)


@register.filter
def datetime_text(value):
    return formatting.datetime_text(value)


@register.filter
def day_heading(value):
    return formatting.day_heading(value)


@register.filter
def day_month(value):
    return formatting.day_month(value)


@register.filter
def period_text(start, end):
    return formatting.period_text(start, end)
