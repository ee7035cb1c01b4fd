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
    unpublished: frozenset = frozenset(),
) -> set[Key]:
    """The keys of the published cells to hide (see the module's docstring). Cells missing from `companies` count
    none. `unpublished` cells are never shown (an institution's figures for one kind of facility, say) but take
    part in the relations, so that the audit finds what they let a reader work out."""
    relations = [(total, list(parts)) for total, parts in relations if parts]  # a sum of nothing says nothing
    published = [
        (total, parts)
        for total, parts in relations
        if total not in unpublished and not any(part in unpublished for part in parts)
    ]
    hidden = {key for key, members in companies.items() if 0 < len(members) < minimum}
    while True:
        hidden = _complementary(companies, published, hidden, minimum)
        fix = _audit(companies, relations, hidden | set(unpublished), minimum)
        if fix is None:
            return hidden - set(unpublished)
        hidden.add(fix)


def _complementary(companies, relations, hidden: set, minimum: int) -> set:
    hidden = set(hidden)
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


def _audit(companies, relations, not_shown: set, minimum: int):
    """3. The audit: what a reader can work out from the shown cells, one relation at a time and over and over (a
    total whose parts are all known, or the one unknown part of a known total). Cells without companies count as
    known (they reveal nobody). If that reaches a cell of fewer than `minimum` companies, the shown cell that made
    it possible (the smallest one of the relation that gave it away, or of the relation before that) is returned
    to be hidden; None when nothing leaks."""
    keys = set(companies) | {key for total, parts in relations for key in (total, *parts)}
    known = {key for key in keys if key not in not_shown or not companies.get(key)}
    source: dict = {}
    changed = True
    while changed:
        changed = False
        for index, (total, parts) in enumerate(relations):
            unknown = [part for part in parts if part not in known]
            if total in known and len(unknown) == 1:
                found = unknown[0]
            elif total not in known and not unknown:
                found = total
            else:
                continue
            known.add(found)
            source[found] = index
            changed = True
    leaks = sorted((key for key in source if 0 < len(companies.get(key, ())) < minimum), key=str)
    return _blame(leaks[0], companies, relations, not_shown, source) if leaks else None


def _blame(cell, companies, relations, not_shown: set, source: dict):
    total, parts = relations[source[cell]]
    others = [key for key in (total, *parts) if key != cell]
    shown = [key for key in others if key not in not_shown and companies.get(key)]
    if shown:
        return min(shown, key=lambda key: (len(companies[key]), str(key)))
    derived = [key for key in others if key in source and companies.get(key)]
    return _blame(derived[0], companies, relations, not_shown, source)
