"""The cancellation charge rule: free before the policy's deadline, the late share of the price after it."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from pricing.charges import Charge, cancellation_charge
from tests.helpers import oslo

D = Decimal
START = oslo(2026, 3, 30, 10).astimezone(datetime.UTC)  # the day after the spring clock change; UTC for real hours


def booking(net="1000.00", vat_rate="0.25"):
    """What pricing sees of a booking (its start and price snapshot): the rule is pure and needs no database."""
    net = None if net is None else D(net)
    vat = None if net is None else (net * D(vat_rate)).quantize(D("0.01"))
    return SimpleNamespace(
        start=START,
        net_amount=net,
        vat_rate=None if net is None else D(vat_rate),
        vat_amount=vat,
        total_amount=None if net is None else net + vat,
    )


@pytest.mark.parametrize(
    ("hours_before", "expected"),
    [
        (72, Charge(D("0.00"), D("0.00"), D("0.00"))),
        (48, Charge(D("0.00"), D("0.00"), D("0.00"))),  # exactly at the deadline: still free
        (47.99, Charge(D("1000.00"), D("250.00"), D("1250.00"))),
        (1, Charge(D("1000.00"), D("250.00"), D("1250.00"))),
        (-1, Charge(D("1000.00"), D("250.00"), D("1250.00"))),  # after the start
    ],
)
def test_free_before_the_deadline_full_price_after(hours_before, expected):
    cancelled_at = START - datetime.timedelta(hours=hours_before)
    assert cancellation_charge(booking(), cancelled_at, 48) == expected


def test_deadline_counts_real_hours_across_the_clock_change():
    """From Saturday 10:00 to Monday 10:00 across the March change is 47 real hours, so it is late."""
    cancelled_at = oslo(2026, 3, 28, 10)
    assert cancellation_charge(booking(), cancelled_at, 48).total_amount == D("1250.00")
    assert cancellation_charge(booking(), cancelled_at, 47).total_amount == D("0.00")


def test_a_share_of_the_price_rounded_half_up():
    charge = cancellation_charge(booking("999.99"), START - datetime.timedelta(hours=2), 24, late_share=D("0.5"))
    # 999.99 × 0.5 = 499.995 → 500.00; VAT 125.00
    assert charge == Charge(D("500.00"), D("125.00"), D("625.00"))


def test_the_share_comes_from_settings_when_not_given(settings):
    settings.ACCOUNTING_LATE_CANCELLATION_SHARE = "0.25"
    charge = cancellation_charge(booking("800.00", "0"), START, 24)
    assert charge == Charge(D("200.00"), D("0.00"), D("200.00"))


def test_no_deadline_means_free_until_the_start():
    assert cancellation_charge(booking(), START - datetime.timedelta(minutes=1), 0).total_amount == D("0.00")
    assert cancellation_charge(booking(), START, None).total_amount == D("1250.00")


def test_a_booking_without_a_price_costs_nothing_to_cancel():
    assert cancellation_charge(booking(None), START, 24) == Charge(None, None, None)


@pytest.mark.parametrize(("deadline", "share"), [(-1, None), (24, D("1.5")), (24, D("-0.1"))])
def test_nonsense_input_is_refused(deadline, share):
    with pytest.raises(ValueError):
        cancellation_charge(booking(), START, deadline, late_share=share)


@pytest.mark.parametrize(
    ("snapshot", "expected"),
    [
        # VAT recorded but not its rate (the invoice basis reads such bookings too): that VAT, in full
        ({"vat_rate": None}, Charge(D("1000.00"), D("250.00"), D("1250.00"))),
        # no total recorded: net plus VAT
        ({"total_amount": None}, Charge(D("1000.00"), D("250.00"), D("1250.00"))),
        # neither VAT nor total recorded: the net price, without VAT
        ({"vat_rate": None, "vat_amount": None, "total_amount": None}, Charge(D("1000.00"), D("0.00"), D("1000.00"))),
    ],
)
def test_a_full_late_charge_is_the_price_the_booking_recorded_even_where_parts_are_missing(snapshot, expected):
    late = booking()
    for name, value in snapshot.items():
        setattr(late, name, value)
    assert cancellation_charge(late, START - datetime.timedelta(hours=1), 24, late_share=D("1")) == expected
