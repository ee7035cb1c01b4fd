"""From per-quarter aggregates to the published figures: sums per institution, region and kind of facility, for
each quarter and the whole year, the confidentiality rule (reporting.suppression) and the ranking
(reporting.ranking). Pure Python on plain values, so the rules are tested without a database; the services feed
it and store what it returns. Every definition is in docs/statistics.md.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from reporting import nace
from reporting.choices import (
    BREAKDOWN_ACCESS_MODEL,
    BREAKDOWN_SECTOR,
    MINIMUM_COMPANIES,
    NO_REGION,
    Dimension,
    UserCategory,
)
from reporting.ranking import RankingInput, ranking
from reporting.suppression import hidden_cells

QUARTERS = (1, 2, 3, 4)
PERIODS = (0, *QUARTERS)  # 0: the whole year
NATIONAL = "all"
# The requests that belong to no institution or no kind of facility (never routed, no institution named): a part of
# the national total in that dimension that is never published, but that the confidentiality rule must see, or the
# national figure minus the shown members would give it.
UNPLACED = "-"
# The requests whose company is only a typed organisation number count together as one company.
UNVERIFIED = "unverified"
# Never published: an institution's figures for one kind of facility (see _cross_relations).
CROSS = "cross"
HUNDREDTH = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")

# The figures about companies' use of facilities: hidden together when the cell counts too few companies.
USE_FIGURES = (
    "industry_bookings",
    "industry_hours",
    "industry_share_of_capacity",
    "industry_revenue",
    "distinct_companies",
)
# The figures about companies' requests: hidden together when the cell counts too few requesting companies.
REQUEST_FIGURES = (
    "industry_requests",
    "requests_answered",
    "requests_accepted",
    "median_working_days_to_first_answer",
    "answered_within_deadline_share",
)


@dataclass(frozen=True)
class FacilityInfo:
    institution: str  # slug
    region: str
    kind: str
    open_and_bookable: bool


@dataclass(frozen=True)
class UseRow:
    """One UseAggregate row, with what the computation needs."""

    quarter: int
    resource_id: int
    facility_id: int
    category: str
    organisation_id: int | None
    access_model: str
    bookings: int
    hours: Decimal
    revenue: Decimal


@dataclass(frozen=True)
class RequestRow:
    """One industry request as counted: where it belongs, and how it was answered."""

    request_id: int
    quarter: int
    company: int | str  # its verified organisation, or UNVERIFIED
    places: tuple[tuple[str, str], ...]  # (institution slug, facility kind or "")
    answered: bool
    accepted: bool
    working_days_to_first_answer: int | None
    within_deadline: bool | None  # None: not answered and the deadline has not passed yet


@dataclass
class _Use:
    companies: set = field(default_factory=set)
    industry_bookings: int = 0
    industry_hours: Decimal = Decimal(0)
    industry_hours_with_capacity: Decimal = Decimal(0)
    industry_revenue: Decimal = Decimal(0)
    external_bookings: int = 0
    external_hours: Decimal = Decimal(0)
    internal_bookings: int = 0
    internal_hours: Decimal = Decimal(0)


@dataclass
class _Requests:
    companies: set = field(default_factory=set)
    ids: set = field(default_factory=set)
    answered: set = field(default_factory=set)
    accepted: set = field(default_factory=set)
    days: dict = field(default_factory=dict)
    within: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """What PublishedCell stores."""

    quarter: int
    dimension: str
    member: str
    breakdown: str
    figures: dict


def _members(info: FacilityInfo) -> list[tuple[str, str]]:
    return [
        (Dimension.NATIONAL, NATIONAL),
        (Dimension.INSTITUTION, info.institution),
        (Dimension.REGION, info.region or NO_REGION),
        (Dimension.FACILITY_KIND, info.kind),
        (CROSS, _cross(info.institution, info.kind)),
    ]


def _cross(institution: str, kind: str) -> str:
    return f"{institution}|{kind}"


def _cross_relations(keys, make_key, *, institutions_too: bool = True) -> list:
    """An institution is the sum of its kinds of facility, and a kind the sum of its institutions: through these
    never-published cells the audit sees what the institutions' and the kinds' tables reveal together. (A
    request's institution need not be one of a kind: one never routed has none, so for requests only the kinds
    are such sums.)"""
    by_institution: dict[str, list] = defaultdict(list)
    by_kind: dict[str, list] = defaultdict(list)
    for key in keys:
        if key[1] == CROSS:
            institution, kind = key[2].split("|", 1)
            rest = (key[0], *key[3:])
            by_institution[(institution, rest)].append(key)
            by_kind[(kind, rest)].append(key)
    relations = [(make_key(rest, Dimension.INSTITUTION, institution), parts)
                 for (institution, rest), parts in by_institution.items() if institutions_too]  # fmt: skip
    relations += [(make_key(rest, Dimension.FACILITY_KIND, kind), parts) for (kind, rest), parts in by_kind.items()]
    return relations


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def rounded(value) -> Decimal:
    """Hours and amounts to two decimals, half up."""
    return Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def cells_compute(
    *,
    facilities: dict[int, FacilityInfo],
    institutions: dict[str, str],
    use_rows: Iterable[UseRow],
    capacities: dict[int, tuple[int, Decimal]],
    sectors: dict[int, str],
    request_rows: Iterable[RequestRow],
) -> list[Cell]:
    """Every published cell of one year: `institutions` maps each slug to its region ("" for none);
    `capacities` holds, for each bookable resource whose capacity is known, its facility and yearly capacity in
    hours (a quarter has a fourth of it); `sectors` the NACE section of each company."""
    use: dict[tuple, _Use] = defaultdict(_Use)
    for row in use_rows:
        info = facilities[row.facility_id]
        breakdowns = [""]
        if row.category == UserCategory.COMPANY:
            breakdowns.append(BREAKDOWN_ACCESS_MODEL + row.access_model)
        for period in (0, row.quarter):
            for dimension, member in _members(info):
                # The sector breakdown is published for the whole country only: within an institution or a
                # kind of facility nearly every sector counts fewer than 3 companies, and hiding them would
                # hide the institution's own figures with them (docs/statistics.md).
                sector = [BREAKDOWN_SECTOR + sectors[row.organisation_id]] if (
                    row.category == UserCategory.COMPANY and dimension == Dimension.NATIONAL
                ) else []  # fmt: skip
                for breakdown in breakdowns + sector:
                    cell = use[(period, dimension, member, breakdown)]
                    _add_use(cell, row, with_capacity=row.resource_id in capacities)

    # Members with facilities but no use still get a row (all zero), and every breakdown of every member exists
    # so that the relations see all their parts.
    members = {member for info in facilities.values() for member in _members(info)}
    members |= {(Dimension.INSTITUTION, slug) for slug in institutions}
    members |= {(Dimension.REGION, region or NO_REGION) for region in institutions.values()}
    breakdowns = {key[3] for key in use} | {""}
    for period in PERIODS:
        for dimension, member in members:
            use[(period, dimension, member, "")]  # noqa: B018  (defaultdict: creates the row)

    capacity = _capacity_by_member(facilities, capacities)
    open_facilities = _open_facilities_by_member(facilities)

    use_hidden = hidden_cells(
        {key: frozenset(cell.companies) for key, cell in use.items()},
        _use_relations(use.keys(), institutions, members, breakdowns)
        + _cross_relations(use.keys(), lambda rest, dimension, member: (rest[0], dimension, member, rest[1])),
        minimum=MINIMUM_COMPANIES,
        unpublished=frozenset(key for key in use if key[1] == CROSS),
    )
    requests = _request_cells(request_rows, institutions)
    request_hidden = hidden_cells(
        {key: frozenset(cell.companies) for key, cell in requests.items()},
        _request_relations(requests.keys(), institutions, members)
        + _cross_relations(
            requests.keys(), lambda rest, dimension, member: (rest[0], dimension, member), institutions_too=False
        ),
        minimum=MINIMUM_COMPANIES,
        unpublished=frozenset(key for key in requests if key[1] == CROSS),
    )

    cells = []
    for key, cell in sorted(use.items(), key=lambda item: tuple(map(str, item[0]))):
        period, dimension, member, breakdown = key
        if dimension == CROSS:
            continue
        hidden = key in use_hidden
        figures = _use_figures(
            cell,
            hidden=hidden,
            capacity_hours=capacity.get((dimension, member), Decimal(0)) / (1 if period == 0 else 4),
            whole=not breakdown,
        )
        if not breakdown:
            figures["facilities_open_bookable"] = open_facilities.get((dimension, member), 0)
            figures.update(_request_figures(requests.get((period, dimension, member)), (period, dimension, member)
                                            in request_hidden))  # fmt: skip
        cells.append(Cell(period, dimension, member, breakdown, figures))
    _rank(cells)
    return cells


def _add_use(cell: _Use, row: UseRow, *, with_capacity: bool) -> None:
    if row.category == UserCategory.COMPANY:
        cell.companies.add(row.organisation_id)
        cell.industry_bookings += row.bookings
        cell.industry_hours += row.hours
        cell.industry_revenue += row.revenue
        if with_capacity:
            cell.industry_hours_with_capacity += row.hours
    elif row.category == UserCategory.EXTERNAL:
        cell.external_bookings += row.bookings
        cell.external_hours += row.hours
    else:
        cell.internal_bookings += row.bookings
        cell.internal_hours += row.hours


def _capacity_by_member(facilities, capacities) -> dict:
    """Yearly capacity hours per (dimension, member), from the resources' facilities."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    for facility_id, hours in capacities.values():
        for member in _members(facilities[facility_id]):
            totals[member] += Decimal(hours)
    return totals


def _open_facilities_by_member(facilities) -> dict:
    counts: dict[tuple, int] = defaultdict(int)
    for info in facilities.values():
        if info.open_and_bookable:
            for member in _members(info):
                counts[member] += 1
    return counts


def _use_relations(keys, institutions, members, breakdowns) -> list:
    """Which use cells are sums of which (see reporting.suppression)."""
    by_dimension: dict[str, list[str]] = defaultdict(list)
    for dimension, member in sorted(members):
        by_dimension[dimension].append(member)
    institutions_in_region: dict[str, list[str]] = defaultdict(list)
    for slug, region in sorted(institutions.items()):
        institutions_in_region[region or NO_REGION].append(slug)
    keys = set(keys)
    relations = []
    for period in PERIODS:
        for breakdown in breakdowns:
            total = (period, Dimension.NATIONAL, NATIONAL, breakdown)
            for dimension in (Dimension.INSTITUTION, Dimension.REGION, Dimension.FACILITY_KIND):
                parts = [(period, dimension, member, breakdown) for member in by_dimension[dimension]]
                relations.append((total, parts))
            for region, slugs in institutions_in_region.items():
                parts = [(period, Dimension.INSTITUTION, slug, breakdown) for slug in slugs]
                relations.append(((period, Dimension.REGION, region, breakdown), parts))
    for dimension, member in members:
        for breakdown in breakdowns:
            relations.append(
                ((0, dimension, member, breakdown), [(quarter, dimension, member, breakdown) for quarter in QUARTERS])
            )
        for period in PERIODS:
            for prefix in (BREAKDOWN_ACCESS_MODEL, BREAKDOWN_SECTOR):
                parts = [(period, dimension, member, b) for b in breakdowns if b.startswith(prefix)]
                relations.append(((period, dimension, member, ""), parts))
    return [(total, [part for part in parts if part in keys]) for total, parts in relations]


def _use_figures(cell: _Use, *, hidden: bool, capacity_hours: Decimal, whole: bool) -> dict:
    figures = {
        "industry_bookings": cell.industry_bookings,
        "industry_hours": rounded(cell.industry_hours),
        "industry_revenue": rounded(cell.industry_revenue),
        "distinct_companies": len(cell.companies),
    }
    if whole:
        figures["industry_share_of_capacity"] = _share(cell.industry_hours_with_capacity, capacity_hours)
    if hidden:
        figures = dict.fromkeys(figures)
    if whole:
        figures.update(
            {
                "external_bookings": cell.external_bookings,
                "external_hours": rounded(cell.external_hours),
                "internal_bookings": cell.internal_bookings,
                "internal_hours": rounded(cell.internal_hours),
                "capacity_hours": rounded(capacity_hours),
            }
        )
    return figures


def _request_cells(rows: Iterable[RequestRow], institutions: dict[str, str]) -> dict[tuple, _Requests]:
    cells: dict[tuple, _Requests] = defaultdict(_Requests)
    for row in rows:
        members = {(Dimension.NATIONAL, NATIONAL)}
        for slug, kind in row.places:
            if slug:
                members.add((Dimension.INSTITUTION, slug))
                members.add((Dimension.REGION, institutions.get(slug) or NO_REGION))
            if kind:
                members.add((Dimension.FACILITY_KIND, kind))
            if slug and kind:
                members.add((CROSS, _cross(slug, kind)))
        for dimension in (Dimension.INSTITUTION, Dimension.REGION, Dimension.FACILITY_KIND):
            if not any(placed == dimension for placed, _member in members):
                members.add((dimension, UNPLACED))
        for period in (0, row.quarter):
            for dimension, member in members:
                cell = cells[(period, dimension, member)]
                cell.companies.add(row.company)
                cell.ids.add(row.request_id)
                if row.answered:
                    cell.answered.add(row.request_id)
                    cell.days[row.request_id] = row.working_days_to_first_answer
                if row.accepted:
                    cell.accepted.add(row.request_id)
                if row.within_deadline is not None:
                    cell.within[row.request_id] = row.within_deadline
    return cells


def _request_relations(keys, institutions, members) -> list:
    keys = set(keys)
    by_dimension: dict[str, list[str]] = defaultdict(list)
    for dimension, member in sorted(members):
        by_dimension[dimension].append(member)
    institutions_in_region: dict[str, list[str]] = defaultdict(list)
    for slug, region in sorted(institutions.items()):
        institutions_in_region[region or NO_REGION].append(slug)
    relations = []
    for period in PERIODS:
        total = (period, Dimension.NATIONAL, NATIONAL)
        # The requests without an institution or a kind of facility are one more part of each sum, never published.
        for dimension in (Dimension.INSTITUTION, Dimension.REGION, Dimension.FACILITY_KIND):
            parts = [(period, dimension, member) for member in [*by_dimension[dimension], UNPLACED]]
            relations.append((total, parts))
        for region, slugs in institutions_in_region.items():
            relations.append(
                ((period, Dimension.REGION, region), [(period, Dimension.INSTITUTION, slug) for slug in slugs])
            )
    for dimension, member in members:
        relations.append(((0, dimension, member), [(quarter, dimension, member) for quarter in QUARTERS]))
    return [(total, [part for part in parts if part in keys]) for total, parts in relations]


def _request_figures(cell: _Requests | None, hidden: bool) -> dict:
    if hidden:
        return dict.fromkeys(REQUEST_FIGURES)
    if cell is None:
        cell = _Requests()
    days = [value for value in cell.days.values() if value is not None]
    median = Decimal(str(statistics.median(days))) if days else None
    return {
        "industry_requests": len(cell.ids),
        "requests_answered": len(cell.answered),
        "requests_accepted": len(cell.accepted),
        "median_working_days_to_first_answer": median,
        "answered_within_deadline_share": _share(sum(cell.within.values()), len(cell.within)),
    }


def _rank(cells: list[Cell]) -> None:
    """Adds the ranking's components, index and rank to the institutions' whole cells, period by period."""
    for period in PERIODS:
        rows = [
            cell
            for cell in cells
            if cell.quarter == period and cell.dimension == Dimension.INSTITUTION and not cell.breakdown
        ]
        # Ranked: institutions whose company figures are shown and that have something to rank (a facility open
        # to industry and bookable, or an industry request); the others are listed without a rank.
        eligible = [
            cell
            for cell in rows
            if cell.figures["distinct_companies"] is not None
            and (cell.figures["facilities_open_bookable"] or cell.figures["industry_requests"])
        ]
        ranked = {
            item.key: item
            for item in ranking(
                [
                    RankingInput(
                        key=cell.member,
                        industry_hours=cell.figures["industry_hours"],
                        bookable_facilities=cell.figures["facilities_open_bookable"],
                        answered_within_deadline_share=cell.figures["answered_within_deadline_share"],
                        distinct_companies=cell.figures["distinct_companies"],
                    )
                    for cell in eligible
                ]
            )
        }
        for cell in rows:
            item = ranked.get(cell.member)
            cell.figures.update(
                {
                    "hours_per_facility": item.hours_per_facility if item else None,
                    "ranking_index": item.index if item else None,
                    "rank": item.rank if item else None,
                }
            )


def sector_label(breakdown: str):
    return nace.section_label(breakdown.removeprefix(BREAKDOWN_SECTOR))
