"""Bookings with price snapshots, made directly (no booking service), for the accounting tests."""

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

import factory

from booking.choices import Activity, BookingStatus
from booking.models import Booking
from catalogue.choices import AccessModel
from tests.factories import ResourceFactory, UserFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def oslo(year, month, day, hour=9, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def _round(value: Decimal) -> Decimal:
    """Øre, half up, as pricing rounds."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class BookingFactory(factory.django.DjangoModelFactory):
    """A completed external economic booking of 2 hours at 1 000 NOK/h + 25 % VAT, unless told otherwise.

    Give `unit_price`, `quantity` and `vat_rate`; the amounts follow (charged = snapshot).
    """

    class Meta:
        model = Booking

    class Params:
        hours = 2

    resource = factory.SubFactory(ResourceFactory)
    user = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(lambda: oslo(2026, 3, 2))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=o.hours))
    status = BookingStatus.COMPLETED
    activity = Activity.ECONOMIC
    access_model = AccessModel.RENTAL
    payer_name = "Eksempel AS"
    payer_org_number = "988077917"
    price_tier = "external_economic"
    price_unit = "hour"
    unit_price = Decimal("1000.00")
    quantity = factory.LazyAttribute(lambda o: Decimal(str(o.hours)).quantize(Decimal("0.01")))
    net_amount = factory.LazyAttribute(lambda o: _round(o.unit_price * o.quantity))
    vat_rate = Decimal("0.25")
    vat_amount = factory.LazyAttribute(lambda o: _round(o.net_amount * o.vat_rate))
    total_amount = factory.LazyAttribute(lambda o: o.net_amount + o.vat_amount)
    charged_net_amount = factory.LazyAttribute(lambda o: o.net_amount)
    charged_vat_amount = factory.LazyAttribute(lambda o: o.vat_amount)
    charged_total_amount = factory.LazyAttribute(lambda o: o.total_amount)


def non_economic(**kwargs) -> dict:
    """Keyword arguments for an external non-economic booking (full cost, no VAT) paid by a university."""
    return {
        "activity": Activity.NON_ECONOMIC,
        "access_model": AccessModel.COLLABORATION,
        "price_tier": "external_non_economic",
        "vat_rate": Decimal("0"),
        **kwargs,
    }
