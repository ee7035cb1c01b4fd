"""Numbers, money and dates as the active language writes them; the one place pages, e-mails and messages get
them from (the template filters in core/templatetags/formats.py call these).

Bokmål: "kr 3 897,28", "15. des. 2026", "tir. 15. des."; English: "NOK 3,897.28", "15 Dec 2026", "Tue 15 Dec".
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language

NO_BREAK_SPACE = "\u00a0"

# Per language: the currency mark and whether it stands before the amount; the day heading of a calendar.
_CURRENCY = {"nb": ("kr", True), "en": ("NOK", True)}
_DAY_HEADING = {"nb": "D j. N", "en": "D j M"}
_DAY_MONTH = {"nb": "j. N", "en": "j M"}


def _language() -> str:
    return (get_language() or "nb").split("-")[0]


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number_text(value, decimal_places: int | None = None) -> str:
    """A number grouped in thousands as the active language does ("3 897,28" / "3,897.28")."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if decimal_places is None:
        decimal_places = 0 if number == number.to_integral_value() else 2
    text = formats.number_format(number, decimal_places, use_l10n=True, force_grouping=True)
    # Django's Bokmål grouping is a plain no-break space; keep it unbreakable and never a normal space.
    return text.replace(" ", NO_BREAK_SPACE)


def money_text(value, decimal_places: int = 2) -> str:
    """An amount in Norwegian kroner: "kr 3 897,28" in Bokmål, "NOK 3,897.28" in English."""
    number = _decimal(value)
    if number is None:
        return ""
    mark, before = _CURRENCY.get(_language(), _CURRENCY["nb"])
    amount = number_text(abs(number), decimal_places)
    sign = "−" if number < 0 else ""
    return f"{sign}{mark}{NO_BREAK_SPACE}{amount}" if before else f"{sign}{amount}{NO_BREAK_SPACE}{mark}"


def _local(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def date_text(value) -> str:
    """A date (or the local date of a moment): "15. des. 2026" / "15 Dec 2026"."""
    if not value:
        return ""
    return formats.date_format(_local(value), "DATE_FORMAT")


def datetime_text(value) -> str:
    """A moment in Norwegian time: "15. des. 2026 kl. 14:00" / "15 Dec 2026, 14:00"."""
    if not value:
        return ""
    return formats.date_format(_local(value), "DATETIME_FORMAT")


def day_heading(value) -> str:
    """A calendar column's heading: "tir. 15. des." / "Tue 15 Dec"."""
    if not value:
        return ""
    text = dateformat.format(_local(value), _DAY_HEADING.get(_language(), _DAY_HEADING["en"]))
    return text.replace(" ", ". ", 1) if _language() == "nb" else text


def day_month(value) -> str:
    """Day and month without the year: "15. des." / "15 Dec"."""
    if not value:
        return ""
    return dateformat.format(_local(value), _DAY_MONTH.get(_language(), _DAY_MONTH["en"]))


def period_text(start, end) -> str:
    """A booking's period: "tir. 15. des. 2026 kl. 09:00–11:00", over midnight with both dates."""
    if not start or not end:
        return ""
    start, end = _local(start), _local(end)
    if start.date() == end.date() or (end - start <= datetime.timedelta(days=1) and end.time() == datetime.time()):
        return f"{day_heading(start)} {start.year}{_clock_word()}{start:%H:%M}–{end:%H:%M}"
    return f"{datetime_text(start)} – {datetime_text(end)}"


def _clock_word() -> str:
    return " kl. " if _language() == "nb" else ", "
