"""Which published cells must be hidden so that no figure reveals one or two companies' use.

A *cell* is one published figure group (an institution's bookings by companies in a quarter, say), known by a
key; `companies` says which distinct companies contribute to it. A *relation* says that a cell is the sum of
other cells: the national figure is the sum of the institutions', a year the sum of its quarters, a region the
sum of its institutions. The rule (docs/statistics.md, "Confidentiality"):

1. Primary suppression: a cell counting at least one but fewer than `minimum` (3) distinct companies is hidden.
2. Complementary suppression: wherever a shown total is the sum of parts, the hidden parts must be at least two
   and must together count at least `minimum` distinct companies; otherwise nobody could stop a reader from
   subtracting the shown parts from the total. While a relation breaks this, the smallest shown part (fewest
   companies, then the key's order) that adds a company is hidden too, and when no part can be hidden the
   total is hidden instead (which then counts as a hidden part of the relations above it).

Hiding only ever grows, so the loop ends. This checks each relation on its own (the usual heuristic of
statistics offices); it does not solve every system of equations across tables, which is why the published
tables are few and nested (docs/statistics.md).
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence

Key = Hashable


def hidden_cells(
    companies: Mapping[Key, frozenset],
    relations: Iterable[tuple[Key, Sequence[Key]]],
    *,
    minimum: int = 3,
) -> set[Key]:
    """The keys of the cells to hide (see the module's docstring). Cells missing from `companies` count none."""
    relations = [(total, list(parts)) for total, parts in relations]
    hidden = {key for key, members in companies.items() if 0 < len(members) < minimum}
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            if total in hidden:
                continue
            hidden_parts = [part for part in parts if part in hidden]
            if not hidden_parts:
                continue
            covered = frozenset().union(*(companies.get(part, frozenset()) for part in hidden_parts))
            if len(hidden_parts) >= 2 and len(covered) >= minimum:
                continue
            # A shown part with companies counts at least `minimum` of them (else it would be hidden), so while the
            # hidden parts cover fewer, any of them adds a company.
            shown = [part for part in parts if part not in hidden and companies.get(part)]
            if shown:
                hidden.add(min(shown, key=lambda part: (len(companies[part]), str(part))))
            else:
                hidden.add(total)
            changed = True
    return hidden
