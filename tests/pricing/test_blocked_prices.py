"""A raised cost base re-checks every current and future price list of the resource: economic prices it leaves
under the floor are blocked (with the reason), no booking is made at them (`price_below_full_cost`, through the
booking path), and the facility's managers are told by e-mail until the manager corrects the list."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from rest_framework.test import APIClient

from booking.models import Booking
from core.models import OutgoingEmail
from core.outbox import outbox_send_due
from core.policies import OPERATOR
from pricing import selectors, services
from pricing.choices import FloorBreach, PriceTier, PriceUnit
from pricing.emails import PRICE_LIST_BLOCKED
from pricing.models import PriceList, PriceListItem
from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityManagerFactory, UserFactory
from tests.helpers import OSLO
from tests.pricing.factories import CollaborationAgreementFactory, CostBaseFactory, PriceListItemFactory

pytestmark = pytest.mark.django_db

D = Decimal
ECONOMIC, NON_ECONOMIC = PriceTier.EXTERNAL_ECONOMIC, PriceTier.EXTERNAL_NON_ECONOMIC
TODAY = timezone.localdate()
THIS_YEAR = TODAY.year


def cost_base_values(**changes) -> dict:
    """The worked cost base (550.00 NOK an hour over 1 500 hours) as cost_base_save's values."""
    values = {name: getattr(CostBaseFactory.build(), name) for name in services.COST_BASE_FIELDS}
    return {**values, **changes}


STAFF = [dict(annual_salary=D(600000), social_cost_rate=D("0.25"), fte=D("0.5"), indirect_rate_per_fte=D(200000))]
RAISED = {"other_direct_costs": D(9920) + D(150000)}  # 650.00 an hour: the floor is 682.50


def cost_base_save(resource, year=THIS_YEAR, **changes):
    return services.cost_base_save(
        actor=OPERATOR, resource=resource, year=year, staff=STAFF, **cost_base_values(**changes)
    )


def price_list(resource, first_day, last_day, economic="600", non_economic="550"):
    return services.price_list_save(
        actor=OPERATOR,
        resource=resource,
        valid_from=first_day,
        valid_to=last_day,
        prices={(ECONOMIC, PriceUnit.HOUR): D(economic), (NON_ECONOMIC, PriceUnit.HOUR): D(non_economic)},
    )


@pytest.fixture
def world(db):
    """A bookable resource with cost bases last year and this year (floor 577.50), a past, a current and a future
    price list selling economic hours at 600.00, and a manager of its facility."""
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility, user__email="leder@example.org").user
    cost_base_save(resource, year=THIS_YEAR - 1)
    cost_base_save(resource)
    lists = {
        "past": price_list(resource, datetime.date(THIS_YEAR - 1, 1, 1), datetime.date(THIS_YEAR - 1, 12, 31)),
        "current": price_list(resource, datetime.date(THIS_YEAR, 1, 1), datetime.date(THIS_YEAR, 12, 31)),
        "future": price_list(resource, datetime.date(THIS_YEAR + 1, 1, 1), None),
    }
    return resource, manager, lists


def economic_item(price_list) -> PriceListItem:
    return price_list.items.get(tier=ECONOMIC)


def book(resource, user, access_model="rental", days=3):
    day = TODAY + datetime.timedelta(days=days)
    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=OSLO)
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/v1/bookings/",
        {"resource": resource.pk, "start": start.isoformat(), "end": (start + datetime.timedelta(hours=2)).isoformat(),
         "access_model": access_model},
        format="json",
    )  # fmt: skip


# (which list, blocked after the raise): the past list was sold as it was; current and future ones are re-checked.
@pytest.mark.parametrize("which, blocked", [("past", False), ("current", True), ("future", True)])
def test_a_raised_cost_base_blocks_the_current_and_future_lists_under_the_new_floor(world, which, blocked):
    resource, _manager, lists = world
    cost_base_save(resource, year=THIS_YEAR - 1, **RAISED)  # the past list's own year, raised too
    cost_base_save(resource, **RAISED)
    item = economic_item(lists[which])
    assert bool(item.blocked_reason) is blocked
    if blocked:
        assert (item.blocked_reason, item.blocked_floor, item.blocked_cost_base_year) == (
            FloorBreach.BELOW_FLOOR,
            D("682.50"),
            THIS_YEAR,
        )
    assert not lists[which].items.filter(tier=NON_ECONOMIC).exclude(blocked_reason="").exists()


def test_a_cost_base_that_stays_under_the_prices_blocks_nothing(world):
    resource, _manager, lists = world
    cost_base_save(resource, other_direct_costs=D(9920) + D(20000))  # 563.33 an hour: floor 591.50 < 600
    assert not PriceListItem.objects.exclude(blocked_reason="").exists()
    assert not OutgoingEmail.objects.filter(kind=PRICE_LIST_BLOCKED).exists()


def test_a_cost_base_counting_samples_blocks_hour_prices_as_unmeasured(world):
    resource, _manager, lists = world
    cost_base_save(resource, capacity_unit="sample")
    assert economic_item(lists["current"]).blocked_reason == FloorBreach.UNIT_NOT_MEASURED


def test_no_booking_is_made_at_a_blocked_price_until_the_list_is_corrected(world):
    resource, _manager, lists = world
    company = UserFactory()
    cost_base_save(resource, **RAISED)

    refused = book(resource, company)
    assert refused.status_code == 400, refused.json()
    assert refused.json()["code"] == "price_below_full_cost" and "resource" in refused.json()
    assert not Booking.objects.exists()
    quote = APIClient()
    quote.force_authenticate(company)
    start = datetime.datetime.combine(TODAY + datetime.timedelta(days=3), datetime.time(10), tzinfo=OSLO)
    answer = quote.get(
        f"/api/v1/resources/{resource.pk}/quote/",
        {
            "start": start.isoformat(),
            "end": (start + datetime.timedelta(hours=2)).isoformat(),
            "access_model": "rental",
        },
    )
    assert answer.status_code == 400 and answer.json()["code"] == "price_below_full_cost"
    CollaborationAgreementFactory(facility=resource.facility, participants=[company])
    # the floor is for economic prices: collaboration research under an agreement pays the non-economic price
    assert book(resource, company, access_model="collaboration").status_code == 201

    services.price_list_save(actor=OPERATOR,   # the manager corrects the list: saving it lifts the block
        resource=resource, price_list=lists["current"], valid_from=lists["current"].valid_from,
        valid_to=lists["current"].valid_to, prices={(ECONOMIC, PriceUnit.HOUR): D("682.50")},
    )  # fmt: skip
    assert book(resource, company, days=4).status_code == 201


def test_lowering_the_cost_base_again_releases_the_block(world):
    resource, _manager, lists = world
    cost_base_save(resource, **RAISED)
    recheck = services.price_lists_floor_recheck(resource=resource)
    assert recheck.blocked == [] and recheck.released == []  # nothing changed since the save
    cost_base_save(resource)
    assert economic_item(lists["current"]).blocked_reason == ""
    assert book(resource, UserFactory()).status_code == 201


def test_the_managers_are_told_once_by_e_mail_naming_the_floor(world):
    resource, manager, lists = world
    cost_base_save(resource, **RAISED)
    cost_base_save(resource, **RAISED)  # saved again: already blocked, nobody is told twice
    assert OutgoingEmail.objects.filter(kind=PRICE_LIST_BLOCKED).count() == 2  # the current and the future list

    assert outbox_send_due() == 2
    assert [message.to for message in mail.outbox] == [[manager.email], [manager.email]]
    body = mail.outbox[0].body
    assert resource.name in body and "682,50" in body and f"/pricing/resources/{resource.pk}/price-lists/" in body


def test_a_list_corrected_before_the_e_mail_goes_out_sends_nothing(world):
    resource, _manager, lists = world
    cost_base_save(resource, **RAISED)
    for which in ("current", "future"):
        services.price_list_save(
        actor=OPERATOR,
            resource=resource, price_list=lists[which], valid_from=lists[which].valid_from,
            valid_to=lists[which].valid_to, prices={(ECONOMIC, PriceUnit.HOUR): D("700")},
        )  # fmt: skip
    outbox_send_due()
    assert mail.outbox == []


def test_the_price_list_page_shows_what_is_blocked_and_why(world, client):
    resource, manager, lists = world
    cost_base_save(resource, **RAISED)
    client.force_login(manager)
    page = client.get(f"/pricing/resources/{resource.pk}/price-lists/").content.decode()
    assert f'id="blocked-{lists["current"].pk}"' in page and f'id="blocked-{lists["past"].pk}"' not in page
    assert "682,50" in page
    listed = APIClient().get(f"/api/v1/resources/{resource.pk}/prices/").json()
    blocked = {(entry["valid_from"], item["tier"]): item["blocked"] for entry in listed for item in entry["items"]}
    assert blocked[(f"{THIS_YEAR}-01-01", ECONOMIC)] is True
    assert blocked[(f"{THIS_YEAR}-01-01", NON_ECONOMIC)] is False


def test_the_cost_base_page_warns_when_saving_it_blocks_prices(world, client):
    resource, manager, lists = world
    client.force_login(manager)
    # 650.00 an hour without the staff line: the staff's 475 000 NOK moved to other direct costs
    values = cost_base_values(other_direct_costs=D(9920) + D(150000) + D(475000), research_council_funded="on")
    form = {**{name: str(value) for name, value in values.items()}, "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "0"}  # fmt: skip
    page = client.post(f"/pricing/resources/{resource.pk}/cost-base/?year={THIS_YEAR}", form, follow=True)
    assert page.status_code == 200
    warnings = [str(message) for message in page.context["messages"] if message.level_tag == "warning"]
    assert len(warnings) == 1 and "2" in warnings[0]
    PriceListItemFactory(blocked_reason="below_floor", price_list__valid_to=None)  # another resource's
    assert selectors.blocked_price_count(resource=resource) == 2


def test_each_blocked_price_says_why_in_the_managers_language(world):
    resource, _manager, lists = world
    CostBaseFactory(year=THIS_YEAR, capacity_unit="hour")  # another resource's cost base of the same year
    cost_base_save(resource, capacity_unit="sample")
    current = PriceList.objects.prefetch_related("items").get(pk=lists["current"].pk)
    with translation.override("en"):
        [message] = selectors.blocked_price_messages(current)
    assert message.startswith(f"The {THIS_YEAR} cost base counts its capacity in samples")
    assert "per hour cannot be checked" in message
    cost_base_save(resource, **RAISED)
    current = PriceList.objects.prefetch_related("items").get(pk=lists["current"].pk)
    with translation.override("en"):
        [message] = selectors.blocked_price_messages(current)
    assert "per hour (NOK\xa0600.00) is below NOK\xa0682.50" in message and f"the {THIS_YEAR} cost base" in message


def test_a_list_that_stands_has_nothing_to_say(world):
    _resource, _manager, lists = world
    assert (
        selectors.blocked_price_messages(PriceList.objects.prefetch_related("items").get(pk=lists["current"].pk)) == []
    )
