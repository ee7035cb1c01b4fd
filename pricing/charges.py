"""What a booking costs after it is cancelled: a pricing rule, so that booking asks pricing and nobody else.

Pure: no database and no booking import (pricing never imports booking). The booking is anything with the price
snapshot a booking stores: `start`, `net_amount`, `vat_rate`, `vat_amount` and `total_amount`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from pricing.tdi import round_ore

ZERO = Decimal("0.00")


class PriceSnapshot(Protocol):
    """The part of a booking the charge is computed from (its start and the price it was made at)."""

    start: datetime.datetime
    net_amount: Decimal | None
    vat_rate: Decimal | None
    vat_amount: Decimal | None
    total_amount: Decimal | None


@dataclass(frozen=True)
class Charge:
    """What a booking costs after a cancellation. All None when the booking had no price."""

    net_amount: Decimal | None
    vat_amount: Decimal | None
    total_amount: Decimal | None


def cancellation_charge(
    booking: PriceSnapshot,
    cancelled_at: datetime.datetime,
    policy_deadline_hours,
    late_share: Decimal | None = None,
) -> Charge:
    """The charge for cancelling `booking` at `cancelled_at` under a deadline of `policy_deadline_hours`.

    Free when cancelled at least `policy_deadline_hours` (real hours, across clock changes) before the start,
    and in any case before the start. Later (also at or after the start), the
    user pays `late_share` of the snapshot: the setting ACCOUNTING_LATE_CANCELLATION_SHARE (1, the full price,
    unless configured) when not given. A full share is the snapshot itself; a part share is the net amount
    times the share, VAT at the booking's rate, each rounded to øre half up. The booking app's cancel service
    sets `charged_*` from it.
    """
    if booking.net_amount is None:
        return Charge(None, None, None)
    deadline_hours = Decimal(str(policy_deadline_hours or 0))
    if deadline_hours < 0:
        raise ValueError("policy_deadline_hours must not be negative")
    share = Decimal(str(settings.ACCOUNTING_LATE_CANCELLATION_SHARE if late_share is None else late_share))
    if not 0 <= share <= 1:
        raise ValueError("late_share must be between 0 and 1")
    # Real elapsed time: subtracting two Europe/Oslo datetimes directly would ignore a clock change between them.
    notice = booking.start.astimezone(datetime.UTC) - cancelled_at.astimezone(datetime.UTC)
    if (notice > datetime.timedelta(0) and notice >= datetime.timedelta(hours=float(deadline_hours))) or share == 0:
        return Charge(ZERO, ZERO, ZERO)
    if share == 1:
        vat = booking.vat_amount if booking.vat_amount is not None else ZERO
        total = booking.total_amount if booking.total_amount is not None else booking.net_amount + vat
        return Charge(booking.net_amount, vat, total)
    net = round_ore(booking.net_amount * share)
    vat = round_ore(net * (booking.vat_rate or 0))
    return Charge(net, vat, net + vat)
