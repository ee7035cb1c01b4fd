"""Booking arguments the accounting tests share (the factories are in tests/booking/factories.py)."""

from decimal import Decimal

from booking.choices import Activity
from catalogue.choices import AccessModel


def non_economic(**kwargs) -> dict:
    """Keyword arguments for an external non-economic booking (full cost, no VAT), on top of `charged=True`."""
    return {
        "activity": Activity.NON_ECONOMIC,
        "access_model": AccessModel.COLLABORATION,
        "price_tier": "external_non_economic",
        "vat_rate": Decimal("0"),
        **kwargs,
    }
