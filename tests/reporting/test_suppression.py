"""The confidentiality rule on its own: fewer than 3 companies are never shown, neither directly nor as a total
minus the shown parts (reporting.suppression, docs/statistics.md)."""

import pytest

from reporting.suppression import hidden_cells


def companies(*names):
    return frozenset(names)


@pytest.mark.parametrize(
    ("cells", "relations", "hidden"),
    [
        # Three companies or more: shown.
        ({"a": companies(1, 2, 3)}, [], set()),
        # One or two: hidden.
        ({"a": companies(1)}, [], {"a"}),
        ({"a": companies(1, 2)}, [], {"a"}),
        # No company at all: nothing to reveal, shown (a zero).
        ({"a": companies()}, [], set()),
        # A total of two parts, one of them hidden: the other must go too, or total minus it gives the hidden one.
        (
            {"total": companies(1, 2, 3, 4), "a": companies(1), "b": companies(2, 3, 4)},
            [("total", ["a", "b"])],
            {"a", "b"},
        ),
        # Of several shown parts, the one with the fewest companies is hidden with it.
        (
            {"total": companies(*range(1, 12)), "a": companies(1), "b": companies(2, 3, 4, 5), "c": companies(6, 7, 8)},
            [("total", ["a", "b", "c"])],
            {"a", "c"},
        ),
        # Two hidden parts that together still count fewer than 3 companies: a third is hidden.
        (
            {
                "total": companies(*range(1, 8)),
                "a": companies(1),
                "b": companies(2),
                "c": companies(3, 4, 5),
                "d": companies(5, 6, 7, 8),
            },
            [("total", ["a", "b", "c", "d"])],
            {"a", "b", "c"},
        ),  # fmt: skip
        # Two hidden parts of the same single company: together still one company, so one more part goes.
        (
            {"total": companies(1, 2, 3, 4), "a": companies(1), "b": companies(1), "c": companies(2, 3, 4)},
            [("total", ["a", "b", "c"])],
            {"a", "b", "c"},
        ),
        # Two hidden parts with 3 companies together: enough, the total and the others stay.
        (
            {"total": companies(*range(1, 9)), "a": companies(1), "b": companies(2, 3), "c": companies(4, 5, 6, 7)},
            [("total", ["a", "b", "c"])],
            {"a", "b"},
        ),
        # No part left to hide (the others are empty): the total is hidden instead.
        (
            {"total": companies(1, 2, 3), "a": companies(1, 2, 3), "b": companies()},
            [("total", ["a", "b"]), ("a", ["q1", "q2"])],
            set(),
        ),
        (
            {"year": companies(1, 2, 3), "q1": companies(1), "q2": companies(2, 3)},
            [("year", ["q1", "q2"])],
            {"q1", "q2"},
        ),
        (
            {"year": companies(1, 2, 3), "q1": companies(1, 2, 3), "q2": companies(), "q3": companies(4)},
            [("year", ["q1", "q2", "q3"])],
            {"q3", "q1"},
        ),
        # A hidden total counts as hidden in the relation above it, and the hiding spreads there.
        (
            {
                "national": companies(*range(1, 10)),
                "west": companies(1, 2, 3),
                "north": companies(4, 5, 6, 7, 8, 9),
                "x": companies(1, 2, 3),
                "x_q1": companies(1, 2, 3),
                "x_q2": companies(),
            },
            [("national", ["west", "north"]), ("west", ["x"]), ("x", ["x_q1", "x_q2"])],
            set(),
        ),
    ],
)
def test_hidden_cells(cells, relations, hidden):
    assert hidden_cells(cells, relations) == hidden


def test_a_single_hidden_part_of_a_shown_total_never_stays_alone():
    """Whatever the data, after the rule no shown total has exactly one hidden part, nor hidden parts that count
    fewer than three companies together."""
    cells = {
        "national": companies(*range(1, 20)),
        "a": companies(1),
        "b": companies(2, 3, 4),
        "c": companies(5, 6, 7, 8),
        "d": companies(9, 10),
        "e": companies(*range(11, 20)),
        "west": companies(1, 2, 3, 4, 5, 6, 7, 8),
        "north": companies(*range(9, 20)),
    }
    relations = [("national", ["a", "b", "c", "d", "e"]), ("west", ["a", "b", "c"]), ("north", ["d", "e"]),
                 ("national", ["west", "north"])]  # fmt: skip
    hidden = hidden_cells(cells, relations)
    for total, parts in relations:
        if total in hidden:
            continue
        hidden_parts = [part for part in parts if part in hidden]
        if hidden_parts:
            assert len(hidden_parts) >= 2
            assert len(frozenset().union(*(cells[part] for part in hidden_parts))) >= 3
    assert {"a", "d"} <= hidden


def test_hiding_spreads_through_the_relations_until_nothing_changes():
    """z (one company) makes its region hide a1; a then has one hidden part and nothing else to hide, so a goes,
    and then b beside it in the national total: each step needs another pass over relations already checked."""
    cells = {
        "national": companies(1, 2, 3, 4, 5, 6), "a": companies(1, 2, 3), "b": companies(4, 5, 6),
        "a1": companies(1, 2, 3), "a2": companies(), "z": companies(7), "s": companies(1, 2, 3, 7),
    }  # fmt: skip
    relations = [("national", ["a", "b"]), ("a", ["a1", "a2"]), ("s", ["a1", "z"])]
    assert hidden_cells(cells, relations) == {"z", "a1", "a", "b"}


def test_one_hidden_part_is_never_enough_even_with_three_companies():
    """q1 is hidden to protect z; if q2 stayed, the year minus q2 would give q1."""
    cells = {"r": companies(1, 2, 3, 9), "z": companies(9), "q1": companies(1, 2, 3), "q2": companies(4, 5, 6),
             "year": companies(1, 2, 3, 4, 5, 6)}  # fmt: skip
    assert hidden_cells(cells, [("r", ["q1", "z"]), ("year", ["q1", "q2"])]) == {"z", "q1", "q2"}


def test_the_parts_of_a_hidden_total_need_no_more_hiding():
    cells = {"total": companies(1, 2), "a": companies(1), "b": companies(3, 4, 5)}
    assert hidden_cells(cells, [("total", ["a", "b"])]) == {"total", "a"}


def test_the_audit_finds_a_leak_through_a_table_that_is_never_published():
    """Gamma is the only institution with test beds, so the kinds' table shows gamma's figures even though gamma is
    hidden (to protect beta in north = beta + gamma); north minus that gives beta's one company. The audit follows
    gamma's unpublished cross cell and hides the test beds (and then, as they are a part of all of Norway, the core
    facilities)."""
    cells = {
        "national": companies(*range(1, 9)), "alfa": companies(1, 2, 3, 4), "beta": companies(5),
        "gamma": companies(6, 7, 8), "west": companies(1, 2, 3, 4), "north": companies(5, 6, 7, 8),
        "core": companies(1, 2, 3, 4, 5), "test_bed": companies(6, 7, 8),
        "alfa|core": companies(1, 2, 3, 4), "beta|core": companies(5), "gamma|test_bed": companies(6, 7, 8),
    }  # fmt: skip
    relations = [
        ("national", ["alfa", "beta", "gamma"]), ("national", ["west", "north"]), ("north", ["beta", "gamma"]),
        ("west", ["alfa"]), ("national", ["core", "test_bed"]),
        ("alfa", ["alfa|core"]), ("beta", ["beta|core"]), ("gamma", ["gamma|test_bed"]),
        ("core", ["alfa|core", "beta|core"]), ("test_bed", ["gamma|test_bed"]),
    ]  # fmt: skip
    cross = frozenset({"alfa|core", "beta|core", "gamma|test_bed"})
    without_audit = {"beta", "gamma"}
    hidden = hidden_cells(cells, relations, unpublished=cross)
    assert hidden == without_audit | {"test_bed", "core"}
    assert not hidden & cross  # only published cells are reported
    # Whatever is shown now, beta cannot be worked out: no relation has beta as its only unknown.
    known = {key for key in cells if key not in hidden | cross}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            unknown = [part for part in parts if part not in known]
            if total in known and len(unknown) == 1 or total not in known and not unknown:
                known.add(unknown[0] if unknown else total)
                changed = True
    assert "beta" not in known


@pytest.mark.parametrize("empty_quarter", [False, True])
def test_a_hidden_total_that_its_shown_parts_add_up_to_gives_its_neighbour_away(empty_quarter):
    """Tromsø's one company is hidden, and Oslo with it (national = oslo + tromso + vest; Oslo is the smaller shown
    part). But Oslo is also the sum of its quarters, which are shown (a quarter without companies, missing from the
    figures, is a zero a reader knows too): a reader adds them up to get Oslo, then takes Oslo and Vest from the
    national figure to get Tromsø. The audit follows both steps (the second needs a pass over the relations after
    the first) and hides the shown cell of that relation with the fewest companies (Vest), not the national one."""
    cells = {
        "national": companies(*range(1, 16)), "oslo": companies(2, 3, 4, 5, 6, 7), "tromso": companies(1),
        "vest": companies(*range(8, 16)), "oslo-q1": companies(2, 3, 4), "oslo-q2": companies(5, 6, 7),
    }  # fmt: skip
    quarters = ["oslo-q1", "oslo-q2", *(["oslo-q3"] if empty_quarter else [])]  # q3 is not in `cells`
    relations = [("national", ["oslo", "tromso", "vest"]), ("oslo", quarters)]
    assert hidden_cells(cells, relations) == {"tromso", "oslo", "vest"}


def test_a_cell_of_exactly_three_companies_may_be_worked_out():
    """An unpublished cross cell of three companies that a reader can work out (total minus the other part) reveals
    nobody: three is enough, so nothing is hidden for it. With two companies the other part is hidden."""
    cells = {"total": companies(*range(1, 7)), "cross": companies(1, 2, 3), "rest": companies(4, 5, 6)}
    relations = [("total", ["cross", "rest"])]
    assert hidden_cells(cells, relations, unpublished=frozenset({"cross"})) == set()
    cells = {"total": companies(*range(1, 6)), "cross": companies(1, 2), "rest": companies(3, 4, 5)}
    assert hidden_cells(cells, relations, unpublished=frozenset({"cross"})) == {"rest"}


def test_cells_may_be_keyed_by_any_hashable_values_even_of_different_kinds():
    """Keys are any hashable values (compute.py uses tuples): two tables in one call, one keyed by text and one by
    numbers, each with a neighbour given away through a hidden total, are both protected."""
    text = {
        "national": companies(*range(1, 16)), "oslo": companies(2, 3, 4, 5, 6, 7), "tromso": companies(1),
        "vest": companies(*range(8, 16)), "oslo-q1": companies(2, 3, 4), "oslo-q2": companies(5, 6, 7),
    }  # fmt: skip
    numbers = {100: companies(*range(21, 36)), 10: companies(*range(22, 28)), 30: companies(21),
               40: companies(*range(28, 36)), 11: companies(22, 23, 24), 12: companies(25, 26, 27)}  # fmt: skip
    relations = [
        ("national", ["oslo", "tromso", "vest"]), ("oslo", ["oslo-q1", "oslo-q2"]),
        (100, [10, 30, 40]), (10, [11, 12]),
    ]  # fmt: skip
    assert hidden_cells({**text, **numbers}, relations) == {"tromso", "oslo", "vest", 30, 10, 40}
