"""Reads of the published statistics: a handful of indexed rows of reporting.PublishedCell per page or API call,
however many bookings there are. Hidden figures are None (shown as "–" with a footnote)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounting.selectors import current_year
from catalogue.choices import AccessModel, FacilityKind, Region
from catalogue.models import Institution
from core.errors import DomainError
from reporting import nace
from reporting.choices import BREAKDOWN_ACCESS_MODEL, BREAKDOWN_SECTOR, NO_REGION, Dimension
from reporting.compute import NATIONAL, QUARTERS
from reporting.models import PublishedCell

FIRST_YEAR = 2000
ZERO = Decimal("0.00")
DECIMAL_FIGURES = frozenset(
    {
        "industry_hours",
        "industry_revenue",
        "industry_share_of_capacity",
        "external_hours",
        "internal_hours",
        "capacity_hours",
        "median_working_days_to_first_answer",
        "answered_within_deadline_share",
        "hours_per_facility",
        "ranking_index",
    }
)
NO_REGION_LABEL = _("No region given")


def last_year() -> int:
    """The last year one may ask for: this one (its figures so far)."""
    return current_year()


def period_check(*, year, quarter) -> tuple[int, int]:
    """(year, quarter) from query text; no quarter means the whole year (0 in return). DomainError naming the
    field at fault."""
    try:
        year = int(year) if year not in (None, "") else current_year()
    except (TypeError, ValueError):
        raise DomainError(_("Give the year as four digits."), field="year", code="invalid") from None
    if not FIRST_YEAR <= year <= last_year():
        raise DomainError(
            _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last_year()},
            field="year",
            code="out_of_range",
        )
    if quarter in (None, ""):
        return year, 0
    try:
        quarter = int(quarter)
    except (TypeError, ValueError):
        raise DomainError(_("Give the quarter as 1, 2, 3 or 4."), field="quarter", code="invalid") from None
    if quarter not in QUARTERS:
        raise DomainError(_("Give the quarter as 1, 2, 3 or 4."), field="quarter", code="out_of_range")
    return year, quarter


def _typed(figures: dict) -> dict:
    return {
        key: (Decimal(value) if key in DECIMAL_FIGURES and value is not None else value)
        for key, value in figures.items()
    }


@dataclass(frozen=True)
class StatisticsRow:
    """The published figures of one institution, region, kind of facility or the whole country in a period."""

    dimension: str
    member: str
    name: str
    figures: dict
    revenue_by_access_model: dict = field(default_factory=dict)
    is_demo: bool = False
    region: str = ""  # institutions only

    @property
    def use_hidden(self) -> bool:
        return self.figures.get("distinct_companies") is None

    @property
    def requests_hidden(self) -> bool:
        return self.figures.get("industry_requests") is None


def _names(dimension: str, members) -> tuple[dict, set, dict]:
    """(names, the demo members, regions) of the members of a dimension."""
    if dimension == Dimension.INSTITUTION:
        rows = Institution.objects.filter(slug__in=list(members)).values_list("slug", "name", "is_demo", "region")
        return (
            {slug: name for slug, name, _demo, _region in rows},
            {slug for slug, _name, demo, _region in rows if demo},
            {slug: region for slug, _name, _demo, region in rows},
        )
    if dimension == Dimension.REGION:
        return {value: label for value, label in Region.choices} | {NO_REGION: NO_REGION_LABEL}, set(), {}
    if dimension == Dimension.FACILITY_KIND:
        return dict(FacilityKind.choices), set(), {}
    return {NATIONAL: _("All of Norway")}, set(), {}


def statistics_table(*, year: int, quarter: int, dimension: str) -> list[StatisticsRow]:
    """One row per member of `dimension` (all of them, with zeros where nothing happened), with its revenue by
    access model; institutions in rank order (unranked last, by name), the others by name. One query for the
    figures, one for the names."""
    cells = list(
        PublishedCell.objects.filter(year=year, quarter=quarter, dimension=dimension).exclude(
            breakdown__startswith=BREAKDOWN_SECTOR
        )
    )
    whole = {cell.member: cell for cell in cells if not cell.breakdown}
    revenue: dict[str, dict] = {member: {} for member in whole}
    for cell in cells:
        if cell.breakdown.startswith(BREAKDOWN_ACCESS_MODEL) and cell.member in revenue:
            amount = cell.figures.get("industry_revenue")
            revenue[cell.member][cell.breakdown.removeprefix(BREAKDOWN_ACCESS_MODEL)] = (
                None if amount is None else Decimal(amount)
            )
    names, demo, regions = _names(dimension, whole)
    rows = [
        StatisticsRow(
            dimension=dimension,
            member=member,
            name=str(names.get(member, member)),
            figures=_typed(cell.figures),
            # A missing breakdown is a zero, unless the whole is hidden (then so is every part of it).
            revenue_by_access_model={
                model: None if cell.figures.get("distinct_companies") is None else revenue[member].get(model, ZERO)
                for model in AccessModel.values
            },
            is_demo=member in demo,
            region=regions.get(member, ""),
        )
        for member, cell in whole.items()
    ]
    if dimension == Dimension.INSTITUTION:
        rows.sort(key=lambda row: (row.figures.get("rank") is None, row.figures.get("rank") or 0, row.name))
    else:
        rows.sort(key=lambda row: row.name)
    return rows


def statistics_national(*, year: int, quarter: int) -> StatisticsRow | None:
    rows = statistics_table(year=year, quarter=quarter, dimension=Dimension.NATIONAL)
    return rows[0] if rows else None


def statistics_series(*, year: int) -> list[StatisticsRow]:
    """The national figures of each quarter of `year` (for the time series), in order."""
    cells = PublishedCell.objects.filter(year=year, dimension=Dimension.NATIONAL, breakdown="", quarter__gt=0)
    return [
        StatisticsRow(
            dimension=Dimension.NATIONAL, member=NATIONAL, name=f"{year} Q{cell.quarter}", figures=_typed(cell.figures)
        )
        for cell in sorted(cells, key=lambda cell: cell.quarter)
    ]


@dataclass(frozen=True)
class SectorRow:
    section: str
    label: str
    industry_bookings: int | None
    industry_hours: Decimal | None
    distinct_companies: int | None

    @property
    def hidden(self) -> bool:
        return self.distinct_companies is None


def statistics_sectors(*, year: int, quarter: int, dimension: str = Dimension.NATIONAL, member: str = NATIONAL):
    """Companies' use by their NACE section, in NACE order."""
    cells = {
        cell.breakdown.removeprefix(BREAKDOWN_SECTOR): _typed(cell.figures)
        for cell in PublishedCell.objects.filter(
            year=year, quarter=quarter, dimension=dimension, member=member, breakdown__startswith=BREAKDOWN_SECTOR
        )
    }
    return [
        SectorRow(
            section=section,
            label=str(nace.section_label(section)),
            industry_bookings=cells[section]["industry_bookings"],
            industry_hours=cells[section]["industry_hours"],
            distinct_companies=cells[section]["distinct_companies"],
        )
        for section in nace.ORDER
        if section in cells
    ]


def statistics_years() -> list[int]:
    """The years with published figures, newest first."""
    return sorted(set(PublishedCell.objects.values_list("year", flat=True).distinct()), reverse=True)


def statistics_computed_at(*, year: int) -> datetime.datetime | None:
    return PublishedCell.objects.filter(year=year).aggregate(at=Max("computed_at"))["at"]
