"""Numbers, money and dates read the way the active language writes them, the same on every page."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core import formatting

NBSP = "\u00a0"
OSLO = timezone.get_default_timezone()
WINTER_MORNING = datetime.datetime(2026, 12, 15, 8, 0, tzinfo=datetime.UTC)  # 09:00 in Oslo


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("nb", Decimal("3897.28"), f"kr{NBSP}3{NBSP}897,28"),
        ("nb", Decimal("1555.8"), f"kr{NBSP}1{NBSP}555,80"),
        ("nb", 0, f"kr{NBSP}0,00"),
        ("nb", Decimal("-250"), f"−kr{NBSP}250,00"),
        ("nb", Decimal("1234567.5"), f"kr{NBSP}1{NBSP}234{NBSP}567,50"),
        ("en", Decimal("3897.28"), f"NOK{NBSP}3,897.28"),
        ("en", Decimal("1555.8"), f"NOK{NBSP}1,555.80"),
        ("nb", None, ""),
        ("nb", "not a number", ""),
    ],
)
def test_money(language, value, expected):
    with translation.override(language):
        assert formatting.money_text(value) == expected


@pytest.mark.parametrize(
    ("language", "value", "places", "expected"),
    [
        ("nb", 12000, None, f"12{NBSP}000"),
        ("nb", Decimal("12.5"), None, "12,50"),
        ("nb", Decimal("12.5"), 1, "12,5"),
        ("en", 12000, None, "12,000"),
        ("en", Decimal("0.25"), 2, "0.25"),
    ],
)
def test_number(language, value, places, expected):
    with translation.override(language):
        assert formatting.number_text(value, places) == expected


@pytest.mark.parametrize(
    ("language", "function", "expected"),
    [
        ("nb", formatting.date_text, "15. des. 2026"),
        ("en", formatting.date_text, "15 Dec 2026"),
        ("nb", formatting.datetime_text, "15. des. 2026 kl. 09:00"),
        ("en", formatting.datetime_text, "15 Dec 2026, 09:00"),
        ("nb", formatting.day_heading, "tir. 15. des."),
        ("en", formatting.day_heading, "Tue 15 Dec"),
    ],
)
def test_dates_in_norwegian_time(language, function, expected):
    with translation.override(language):
        assert function(WINTER_MORNING) == expected


@pytest.mark.parametrize(
    ("language", "hours", "expected"),
    [
        ("nb", 2, "tir. 15. des. 2026 kl. 09:00–11:00"),
        ("en", 2, "Tue 15 Dec 2026, 09:00–11:00"),
        ("nb", 30, "15. des. 2026 kl. 09:00 – 16. des. 2026 kl. 15:00"),
    ],
)
def test_period(language, hours, expected):
    with translation.override(language):
        assert formatting.period_text(WINTER_MORNING, WINTER_MORNING + datetime.timedelta(hours=hours)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", f"kr{NBSP}3{NBSP}897,28 · 15. des. 2026 kl. 09:00"), ("en", f"NOK{NBSP}3,897.28 · 15 Dec 2026, 09:00")],
)
def test_template_filters_and_django_date_filter_agree(language, expected):
    template = Template("{% load formats %}{{ amount|money }} · {{ moment|datetime_text }}|{{ moment|date }}")
    with translation.override(language):
        rendered = template.render(Context({"amount": Decimal("3897.28"), "moment": WINTER_MORNING}))
    html, django_date = rendered.split("|")
    assert html == expected
    # Django's own date filter uses the same formats (config/formats), so no page says "Dec. 15, 2026".
    assert django_date == expected.split(" · ")[1].split(" kl.")[0].split(",")[0]
