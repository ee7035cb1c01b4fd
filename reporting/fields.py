"""The published fields, in one place: the API's schema, the CSV and JSON downloads and the page that describes
the open data all read their names and descriptions from here (docs/statistics.md has the same definitions)."""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from catalogue.choices import AccessModel

NLOD_NAME = "Norsk lisens for offentlige data (NLOD) 2.0"
NLOD_URL = "https://data.norge.no/nlod/no/2.0"
NLOD_URL_EN = "https://data.norge.no/nlod/en/2.0"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text", "integer", "decimal", "share" (0-1), "boolean"
    description: object  # lazy text
    hidden_when_few_companies: bool = False


KEY_FIELDS = {
    "institution": Field("institution", "text", _("The institution's short name in addresses (slug).")),
    "region": Field("region", "text", _("The region the institution is in (north, central, west, south_east).")),
    "kind": Field("kind", "text", _("The kind of facility.")),
    "area": Field("area", "text", _('"all": the whole country.')),
}

FIELDS = (
    Field("name", "text", _("The name.")),
    Field("year", "integer", _("The calendar year (Europe/Oslo).")),
    Field("quarter", "integer", _("The quarter 1-4, or empty for the whole year.")),
    Field(
        "facilities_open_bookable",
        "integer",
        _("Published facilities open to industry with at least one active resource that can be booked (now)."),
    ),
    Field(
        "industry_bookings",
        "integer",
        _("Completed bookings paid by a company (a registered organisation of kind company), by start date."),
        True,
    ),
    Field("industry_hours", "decimal", _("Hours of those bookings (start to end)."), True),
    Field(
        "industry_share_of_capacity",
        "share",
        _(
            "Companies' hours on resources with a known capacity, divided by that capacity (the cost base's hours "
            "a year; a quarter has a fourth). Empty when no capacity is known."
        ),
        True,
    ),
    Field(
        "industry_revenue",
        "decimal",
        _("Charged revenue from companies, excluding VAT, NOK (completed, no-show and late-cancelled bookings)."),
        True,
    ),
    *(
        Field(
            f"industry_revenue_{model}",
            "decimal",
            format_lazy(_("Of which with the access model: {model}."), model=label),
            True,
        )
        for model, label in AccessModel.choices
    ),
    Field("distinct_companies", "integer", _("Distinct companies with such a booking or charge."), True),
    Field("external_bookings", "integer", _("Completed bookings by other external users (not companies).")),
    Field("external_hours", "decimal", _("Hours of those bookings.")),
    Field("internal_bookings", "integer", _("Completed bookings paid by the facility's own institution.")),
    Field("internal_hours", "decimal", _("Hours of those bookings.")),
    Field("industry_requests", "integer", _("Industry requests received (confirmed, not spam or duplicates)."), True),
    Field("requests_answered", "integer", _("Of which answered (see the first answer)."), True),
    Field("requests_accepted", "integer", _("Of which a facility accepted."), True),
    Field(
        "median_working_days_to_first_answer",
        "decimal",
        _("Median working days from receipt to the first answer, of the answered requests."),
        True,
    ),
    Field(
        "answered_within_deadline_share",
        "share",
        _("Share of requests answered within the response deadline, of those answered or overdue."),
        True,
    ),
    Field("hours_per_facility", "decimal", _("Ranking component H: industry hours per open bookable facility.")),
    Field("ranking_index", "decimal", _("The ranking index, 0-100 (see the formula).")),
    Field("rank", "integer", _("The place in the ranking; empty when the institution's figures are hidden.")),
    Field("is_demo", "boolean", _("True for the demo register's made-up institutions.")),
)

SUPPRESSION_NOTE = _(
    "Empty (null): hidden because the figure counts fewer than 3 distinct companies, or because it could be "
    "worked out from a total and the figures shown."
)


def record(row, *, year: int, quarter: int, key: str) -> dict:
    """One published row as a flat record with the fields above (`key` is the dimension's key field)."""
    figures = row.figures
    values = {
        key: row.member,
        "region": row.region,
        "name": row.name,
        "year": year,
        "quarter": quarter or None,
        **{field.name: figures.get(field.name) for field in FIELDS if field.name in figures},
        **{f"industry_revenue_{model}": amount for model, amount in row.revenue_by_access_model.items()},
        "is_demo": row.is_demo,
    }
    names = (key, "region") if key == "institution" else (key,)
    return {name: values.get(name) for name in (*names, *(field.name for field in FIELDS))}
