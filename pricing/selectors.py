"""Reads for pricing. Other apps ask pricing for prices only through this module."""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Quote:
    """What a use of a resource costs a given user: the figures a booking stores as its price snapshot."""

    tier: str  # "internal", "external_non_economic" or "external_economic"
    unit: str  # "hour", "half_day", "day", "sample" or "fixed"
    unit_price: Decimal
    quantity: Decimal
    net_amount: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    currency: str
    price_list_id: int | None


def booking_quote(*, resource, user, activity: str, start: datetime.datetime, end: datetime.datetime) -> Quote | None:
    """The price of booking `resource` from `start` to `end` for `user` with the given activity.

    None when the resource has no price list valid at `start`. (Contract for the booking app; the pricing
    issue fills in the price lists behind it.)
    """
    return None


def annual_capacity_hours(*, resource, year: int) -> Decimal | None:
    """Hours the resource can be used in a calendar year, from its cost base; None when unknown.

    (Contract for the state-aid monitor: economic hours booked divided by this. The pricing issue fills it in.)
    """
    return None
