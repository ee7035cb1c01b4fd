"""A tiny rule module for the mutation tool's own tests: its tests kill some mutants and let others live."""

import logging

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MEMBER_DISCOUNT = 0.9


def discounted(amount, *, member: bool):
    """Members pay 90 % of orders of 100 or more."""
    if member and amount >= 100:
        logger.info("discount for an order of %s", amount)
        return amount * MEMBER_DISCOUNT
    return amount


def checked_quantity(quantity: int) -> int:
    if quantity < 0:
        raise ValueError(_("A quantity of %(n)s is below zero.") % {"n": quantity})
    return quantity


def capped(quantity: int) -> int:
    """No order is for more than 10 (its only test calls it in a thread of its own, as a race test would)."""
    return min(quantity, 10)
