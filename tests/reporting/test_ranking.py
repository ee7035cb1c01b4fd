"""The ranking follows its published formula: index = 100 × (H/H_max + D/D_max + C/C_max) / 3."""

from decimal import Decimal

import pytest

from reporting.ranking import RankingInput, hours_per_facility, ranking


def row(key, hours, facilities, share, companies):
    return RankingInput(key, Decimal(hours), facilities, None if share is None else Decimal(share), companies)


def test_index_by_the_formula_computed_by_hand():
    ranked = ranking(
        [
            row("alfa", "400", 2, "0.80", 10),  # H 200, D 0.8, C 10: all best -> 100
            row("beta", "100", 1, "0.40", 5),  # H 100 -> 0.5, D 0.5, C 0.5 -> 50
            row("gamma", "0", 0, None, 1),  # H 0 (no facility), D 0 (none), C 0.1 -> 3.3
        ]
    )
    assert [(r.key, r.index, r.rank) for r in ranked] == [
        ("alfa", Decimal("100.0"), 1),
        ("beta", Decimal("50.0"), 2),
        ("gamma", Decimal("3.3"), 3),
    ]
    assert [r.hours_per_facility for r in ranked] == [Decimal("200.00"), Decimal("100.00"), Decimal("0")]
    assert [r.answered_within_deadline_share for r in ranked] == [Decimal("0.80"), Decimal("0.40"), Decimal("0")]


def test_each_component_weighs_a_third():
    ranked = {r.key: r for r in ranking([row("hours", "90", 1, "0", 0), row("share", "0", 1, "1", 0),
                                         row("companies", "0", 1, "0", 7)])}  # fmt: skip
    assert {key: r.index for key, r in ranked.items()} == {
        "hours": Decimal("33.3"),
        "share": Decimal("33.3"),
        "companies": Decimal("33.3"),
    }
    assert {r.rank for r in ranked.values()} == {1}  # equal indexes share the rank


def test_equal_indexes_share_a_rank_and_the_next_skips():
    ranked = ranking([row("a", "10", 1, "1", 3), row("b", "10", 1, "1", 3), row("c", "5", 1, "1", 3)])
    assert [(r.key, r.rank) for r in ranked] == [("a", 1), ("b", 1), ("c", 3)]


def test_nobody_scoring_on_a_component_counts_zero_for_everyone():
    ranked = ranking([row("a", "0", 1, None, 4), row("b", "0", 0, None, 2)])
    assert [(r.key, r.index) for r in ranked] == [("a", Decimal("33.3")), ("b", Decimal("16.7"))]


def test_no_institution_no_ranking():
    assert ranking([]) == []


@pytest.mark.parametrize(
    ("hours", "facilities", "expected"),
    [("10", 4, Decimal("2.50")), ("10", 3, Decimal("3.33")), ("10", 0, Decimal("0")), ("0", 2, Decimal("0.00"))],
)
def test_hours_per_facility(hours, facilities, expected):
    assert hours_per_facility(industry_hours=Decimal(hours), bookable_facilities=facilities) == expected


def test_order_is_by_index_then_key_whatever_the_input_order():
    ranked = ranking([row("c", "10", 1, "0", 1), row("b", "0", 1, "1", 9), row("a", "30", 1, "0", 1),
                      row("d", "30", 1, "0", 1)])  # fmt: skip
    # a and d: H 1, C 1/9 -> 37.0; b: D 1, C 1 -> 66.7; c: H 1/3, C 1/9 -> 14.8
    assert [(r.key, r.index, r.rank) for r in ranked] == [
        ("b", Decimal("66.7"), 1), ("a", Decimal("37.0"), 2), ("d", Decimal("37.0"), 2), ("c", Decimal("14.8"), 4),
    ]  # fmt: skip
    ties = ranking([row("share", "0", 1, "1", 0), row("hours", "90", 1, "0", 0), row("companies", "0", 1, "0", 7)])
    assert [r.key for r in ties] == ["companies", "hours", "share"]


def test_halves_are_rounded_up():
    assert hours_per_facility(industry_hours=Decimal("0.25"), bookable_facilities=2) == Decimal("0.13")
    # H 147/400 = 0.3675 -> 100 × 0.3675 / 3 = 12.25 -> 12.3
    [best, half] = ranking([row("best", "400", 1, "1", 1), row("half", "147", 1, "0", 0)])
    assert half.index == Decimal("12.3")
