"""Checks of references into another app's data, for apps that may not import that app.

Intake refers to a booking by its number but depends on the catalogue only; booking registers here, in its
AppConfig.ready(), how to tell whether a number may be proposed. Dependencies stay one-directional, like the
page extension points in core.navigation.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

BOOKING_PROPOSAL = "booking_proposal"  # check(*, booking_id, facility_id) -> why the booking cannot be proposed
# check(*, facility_id, resource_id, unit, quantity, amount) -> None, or DomainError naming the field at fault:
# a quoted amount is at least the full cost of what it covers plus the minimum margin (pricing registers it).
QUOTE_FLOOR = "quote_floor"

_checks: dict[str, Callable[..., str | None]] = {}


def register_reference_check(kind: str, check: Callable[..., str | None]) -> None:
    _checks[kind] = check


def reference_refusal(kind: str, **reference) -> str | None:
    """Why the reference is not acceptable, or None when it is (the registered check's answer)."""
    check = _checks.get(kind)
    if check is None:
        raise ImproperlyConfigured(f"No app checks references of the kind {kind!r}.")
    return check(**reference)
