"""The full-cost floor and the other rules of saving a price list, with the codes and fields an API client or
the price list form reads from each refusal."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from core.errors import ConflictError, DomainError
from core.policies import OPERATOR
from pricing import selectors, services
from pricing.choices import PriceTier, PriceUnit
from pricing.models import PriceList
from tests.pricing.factories import CostBaseFactory

D = Decimal
ECONOMIC, NON_ECONOMIC, INTERNAL = PriceTier.EXTERNAL_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC, PriceTier.INTERNAL
JANUARY = datetime.date(2026, 1, 1)
DECEMBER = datetime.date(2026, 12, 31)


def save(resource, prices, valid_from=JANUARY, valid_to=DECEMBER, **kwargs):
    return services.price_list_save(
        actor=OPERATOR, resource=resource, valid_from=valid_from, valid_to=valid_to, prices=prices, **kwargs
    )


def refused(resource, prices, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        save(resource, prices, **kwargs)
    return error.value


def test_an_economic_price_below_full_cost_is_refused_as_below_full_cost(resource):
    CostBaseFactory(resource=resource, year=2026)  # full cost 550.00 NOK/h
    error = refused(resource, {(ECONOMIC, PriceUnit.HOUR): D("549.99")})
    assert (error.field, error.code) == ("external_economic__hour", "below_full_cost")


def test_a_price_list_may_be_valid_for_a_single_day_but_not_end_before_it_starts(resource):
    one_day = save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")}, valid_from=JANUARY, valid_to=JANUARY)
    assert (one_day.valid_from, one_day.valid_to) == (JANUARY, JANUARY)
    error = refused(resource, {}, valid_from=datetime.date(2026, 2, 2), valid_to=datetime.date(2026, 2, 1))
    assert (error.field, error.code) == ("valid_to", "invalid_period")


def test_an_overlapping_price_list_is_a_conflict_with_its_code(resource):
    save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")})
    with pytest.raises(ConflictError) as error:
        save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")}, valid_from=DECEMBER, valid_to=None)
    assert (error.value.field, error.value.code) == ("valid_from", "overlapping_price_list")


@pytest.mark.postgres
def test_a_writer_that_slips_past_the_overlap_check_gets_a_conflict_from_the_database(resource, monkeypatch):
    # Two managers saving at once: the second one's check ran before the first one's list was stored. The
    # exclusion constraint refuses the second list, and the service says so as a conflict on the start date.
    save(resource, {(INTERNAL, PriceUnit.HOUR): D("10")})
    monkeypatch.setattr(selectors, "overlapping_price_list", lambda **kwargs: None)
    with pytest.raises(ConflictError) as error, transaction.atomic():
        save(resource, {(INTERNAL, PriceUnit.HOUR): D("12")}, valid_from=DECEMBER, valid_to=None)
    assert error.value.field == "valid_from"
    assert PriceList.objects.count() == 1
