"""Published figures on pages: a hidden figure is "–" (the footnote explains it), numbers via core.formatting."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.formatting import money_text, number_text

register = template.Library()
HIDDEN = "–"


def _hidden():
    return format_html('<abbr title="{}" class="suppressed">{}</abbr>', _("Hidden: fewer than 3 companies"), HIDDEN)


@register.filter
def figure(value, decimal_places=None):
    """A count or number of hours; "–" when hidden."""
    if value is None:
        return _hidden()
    return number_text(value, None if decimal_places in (None, "") else int(decimal_places))


@register.filter
def share(value):
    """A share 0-1 as a percentage with one decimal ("3,2 %"); "–" when hidden or not known."""
    if value is None:
        return _hidden()
    return f"{number_text(Decimal(value) * 100, 1)}\u00a0%"


@register.filter
def kroner(value):
    if value is None:
        return _hidden()
    return money_text(value, 0)


@register.filter
def chart_value(value):
    """The number a chart draws, machine-readable (data-value); empty when hidden."""
    return "" if value is None else str(value)
