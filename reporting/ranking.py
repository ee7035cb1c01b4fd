"""The national ranking of institutions by collaboration with industry (report 7.3.5): a simple, published index.

    index = 100 × (H / H_max + D / D_max + C / C_max) / 3

- H: hours booked by companies per facility open to industry and bookable (0 for an institution without one);
- D: the share of industry requests answered within the deadline (0 when none were received or it is hidden);
- C: distinct companies served.

Each component is divided by the best institution's value for that period, so each lies between 0 and 1 and
weighs a third; a component nobody scores on counts 0 for everyone. Only institutions whose company figures are
shown are ranked: an index built from a hidden figure would reveal it; and only those with a facility open to
industry and bookable or an industry request (reporting.compute). Equal indexes share a rank (1, 2, 2, 4).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class RankingInput:
    key: str
    industry_hours: Decimal
    bookable_facilities: int
    answered_within_deadline_share: Decimal | None
    distinct_companies: int


@dataclass(frozen=True)
class Ranked:
    key: str
    hours_per_facility: Decimal
    answered_within_deadline_share: Decimal
    distinct_companies: int
    index: Decimal
    rank: int


def hours_per_facility(*, industry_hours: Decimal, bookable_facilities: int) -> Decimal:
    if not bookable_facilities:
        return Decimal(0)
    return (Decimal(industry_hours) / bookable_facilities).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ratio(value: Decimal, best: Decimal) -> Decimal:
    return Decimal(value) / Decimal(best) if best else Decimal(0)


def ranking(rows: list[RankingInput]) -> list[Ranked]:
    """The ranked institutions, best first (ties by key)."""
    if not rows:
        return []
    components = [
        (
            row.key,
            hours_per_facility(industry_hours=row.industry_hours, bookable_facilities=row.bookable_facilities),
            Decimal(row.answered_within_deadline_share or 0),
            row.distinct_companies,
        )
        for row in rows
    ]
    best_hours = max(hours for _key, hours, _share, _companies in components)
    best_share = max(share for _key, _hours, share, _companies in components)
    best_companies = max(companies for _key, _hours, _share, companies in components)
    scored = []
    for key, hours, share, companies in components:
        index = (
            100
            * (_ratio(hours, best_hours) + _ratio(share, best_share) + _ratio(Decimal(companies), best_companies))
            / 3
        ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        scored.append((key, hours, share, companies, index))
    scored.sort(key=lambda item: (-item[4], item[0]))
    ranked: list[Ranked] = []
    for position, (key, hours, share, companies, index) in enumerate(scored, start=1):
        tied = ranked and ranked[-1].index == index
        ranked.append(Ranked(key, hours, share, companies, index, ranked[-1].rank if tied else position))
    return ranked
