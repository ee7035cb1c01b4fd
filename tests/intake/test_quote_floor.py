"""A manager's proposal with an amount says what it covers (quantity × unit of a resource of the facility) and may
not be below full cost plus the minimum margin of that: 577.50 NOK an hour of the quote resource (550.00 full
cost, 5 %). Checked by pricing through core.references; intake never imports pricing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError
from intake import services
from intake.models import RequestMessage
from tests.factories import ResourceFactory
from tests.intake.factories import IntakeRequestFactory
from tests.pricing.factories import CostBaseFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def routing(world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    return request.routings.get()


def accept(routing, world, **proposal):
    return services.routing_accept(routing=routing, user=world.manager, proposal_kind="quote", **proposal)


# (the amount and what it covers, accepted or the field and code of the refusal)
BELOW = ("quote_amount", "below_full_cost")
CASES = [
    ({"quote_amount": D("11550.00"), "quote_unit": "hour", "quote_quantity": D(20)}, None),  # 20 × 577.50
    ({"quote_amount": D("11549.99"), "quote_unit": "hour", "quote_quantity": D(20)}, BELOW),
    ({"quote_amount": D("2310.00"), "quote_unit": "half_day", "quote_quantity": D(1)}, None),
    ({"quote_amount": D("2309.99"), "quote_unit": "half_day", "quote_quantity": D(1)}, BELOW),
    ({"quote_amount": D("9240.00"), "quote_unit": "day", "quote_quantity": D(2)}, None),
    ({"quote_amount": D("9239.99"), "quote_unit": "day", "quote_quantity": D(2)}, BELOW),
    ({"quote_amount": D("288.75"), "quote_unit": "hour", "quote_quantity": D("0.5")}, None),
    ({"quote_amount": D("1"), "quote_unit": "hour", "quote_quantity": D(80)}, BELOW),
    # the hour-based cost base does not count samples
    ({"quote_amount": D("99999"), "quote_unit": "sample", "quote_quantity": D(1)}, ("quote_unit", "unit_not_measured")),
    # what the amount covers is required
    ({"quote_amount": D("48000"), "quote_unit": "hour"}, ("quote_quantity", "required")),
    ({"quote_amount": D("48000"), "quote_quantity": D(10)}, ("quote_unit", "required")),
    ({"quote_amount": D("48000"), "quote_unit": "fixed", "quote_quantity": D(1)}, ("quote_unit", "required")),
    ({"quote_amount": D("48000"), "quote_unit": "hour", "quote_quantity": D(0)}, ("quote_quantity", "required")),
]  # fmt: skip


@pytest.mark.parametrize("proposal, refusal", CASES)
def test_a_quoted_amount_is_checked_against_full_cost_of_what_it_covers(
    world, routing, quote_resource, proposal, refusal
):
    proposal = {"quote_resource": quote_resource.pk, **proposal}
    if refusal is None:
        assert accept(routing, world, **proposal).quote_amount == proposal["quote_amount"]
        return
    with pytest.raises(DomainError) as error:
        accept(routing, world, **proposal)
    assert (error.value.field, error.value.code) == refusal
    routing.refresh_from_db()
    assert routing.status == "pending" and not RequestMessage.objects.filter(request=routing.request).exists()


def priced_elsewhere(world):
    resource = ResourceFactory(facility=world.ntnu_facility)
    CostBaseFactory(resource=resource, year=timezone.localdate().year)
    return resource


def calculator_refuses(world):
    resource = ResourceFactory(facility=world.facility)  # saved past the service: equipment, no depreciation years
    CostBaseFactory(resource=resource, year=timezone.localdate().year, depreciation_years=0)
    return resource


@pytest.mark.parametrize(
    "whose, code",
    [
        (lambda world: None, "required"),
        (priced_elsewhere, "required"),  # another facility's resource, priced or not, is not the facility's
        (lambda world: ResourceFactory(facility=world.facility), "no_cost_base"),
        (calculator_refuses, "no_cost_base"),
    ],
    ids=["none", "another facility's", "one without a cost base", "a cost base the calculator refuses"],
)
def test_the_resource_must_be_the_facilitys_and_priced(world, routing, quote_resource, whose, code):
    resource = whose(world)
    with pytest.raises(DomainError) as error:
        accept(routing, world, quote_amount=D("99999"), quote_unit="hour", quote_quantity=D(1),
               quote_resource=resource.pk if resource else None)  # fmt: skip
    assert (error.value.field, error.value.code) == ("quote_resource", code)


def test_the_floor_is_that_of_the_resource_named(world, routing, quote_resource):
    ResourceFactory(facility=world.facility, name="Aaa, not priced")  # listed first at the facility
    dearer = ResourceFactory(facility=world.facility, name="Dyrere")
    CostBaseFactory(resource=dearer, year=timezone.localdate().year, capacity_units=D(750))  # 1 100.00 an hour
    with pytest.raises(DomainError) as error:
        accept(routing, world, quote_amount=D("1000"), quote_unit="hour", quote_quantity=D(1),
               quote_resource=dearer.pk)  # fmt: skip
    assert "1155" in str(error.value).replace("\xa0", "").replace(" ", "")  # 1 100.00 + 5 %
    assert accept(routing, world, quote_amount=D("577.50"), quote_unit="hour", quote_quantity=D(1),
                  quote_resource=quote_resource.pk).status == "accepted"  # fmt: skip


def test_proposals_without_an_amount_need_no_cost_base(world, routing):
    assert (
        services.routing_accept(
            routing=routing, user=world.manager, proposal_kind="agreement", agreement_type="rental"
        ).status
        == "accepted"
    )


def test_the_requester_reads_what_the_amount_covers(world, routing, quote_resource):
    accept(routing, world, quote_amount=D("12000"), quote_resource=quote_resource.pk, quote_unit="hour",
           quote_quantity=D(20))  # fmt: skip
    body = RequestMessage.objects.get(request=routing.request).body
    assert "kr\xa012\xa0000,00 eks. mva." in body and "20 ×" in body and quote_resource.name in body


def test_the_api_names_the_field_of_a_quote_below_full_cost(world, client, valid_request, quote_resource):
    from tests.intake.test_api import URL, auth

    created = client.post(
        URL, {**valid_request, "preferred_institution": "uio"}, content_type="application/json", **auth(world.key)
    ).json()
    client.force_login(world.screener)
    client.post(f"{URL}{created['id']}/route/", {"facilities": ["proteomikk"]}, content_type="application/json")
    client.force_login(world.manager)
    answer = client.post(
        f"{URL}{created['id']}/accept/",
        {"proposal_kind": "quote", "quote_amount": "1.00", "quote_resource": quote_resource.pk, "quote_unit": "hour",
         "quote_quantity": "10"},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["code"] == "below_full_cost" and "quote_amount" in answer.json()
