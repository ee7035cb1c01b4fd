"""The booking path reads and writes with fixed SQL (config.rawsql) instead of the ORM's query building.

These tests hold it to the ORM: what it reads equals what the ORM reads, and what it stores reads back through the
ORM as written, on SQLite and (in CI) on PostgreSQL, where it runs as one statement with server-side binding.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking import selectors, services
from booking.models import Booking, BookingEvent, BookingPolicy
from booking.services import storing
from catalogue.models import Resource
from config import rawsql
from core.errors import ConflictError
from core.models import OutgoingEmail
from pricing import selectors as pricing_selectors
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory, ClosureFactory
from tests.factories import UserFactory
from tests.pricing.factories import PriceListItemFactory, hourly_price_list

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_resource_to_book_is_read_as_the_orm_reads_it(django_assert_num_queries):
    policy = BookingPolicyFactory(buffer_minutes=15, requires_approval=True, resource__facility__name="Kjernelab Ø")
    with django_assert_num_queries(1):  # opening hours included
        loaded = selectors.resource_to_book(policy.resource_id)
        hours = selectors.opening_hours_of(loaded.booking_policy)
    expected = Resource.objects.select_related("facility", "booking_policy").get(pk=policy.resource_id)
    assert _values(loaded) == _values(expected)
    assert _values(loaded.facility) == _values(expected.facility)
    assert _values(loaded.booking_policy) == _values(expected.booking_policy)
    expected_hours = [_values(h) for h in expected.booking_policy.opening_hours.order_by("weekday", "opens")]
    assert len(expected_hours) >= 5 and [_values(h) for h in hours] == expected_hours


def test_a_policy_without_opening_hours_is_read_as_never_open(django_assert_num_queries):
    policy = BookingPolicyFactory()
    policy.opening_hours.all().delete()
    with django_assert_num_queries(1):
        loaded = selectors.resource_to_book(policy.resource_id)
        assert selectors.opening_hours_of(loaded.booking_policy) == []
    assert _values(loaded.booking_policy) == _values(policy)


def test_instances_read_with_fixed_sql_behave_as_the_orms():
    policy = BookingPolicyFactory()
    loaded = selectors.resource_to_book(policy.resource_id)
    expected = Resource.objects.get(pk=policy.resource_id)
    assert loaded == expected and loaded._state.adding is False and loaded._state.db == "default"
    assert set(vars(loaded)) - {"_state", "facility", "_prefetched_objects_cache"} <= set(vars(expected))
    loaded.name = "Nytt navn"
    loaded.save()  # an UPDATE of the row read, not a second resource
    assert Resource.objects.filter(facility=expected.facility).count() == 1
    assert Resource.objects.get(pk=policy.resource_id).name == "Nytt navn"
    assert loaded.facility.resources.get() == loaded  # relations work from the instance


def test_instances_read_with_fixed_sql_run_init_signals_when_someone_listens():
    from django.db.models.signals import post_init

    policy = BookingPolicyFactory()
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(type(instance).__name__)

    post_init.connect(listener, sender=Resource)
    try:
        selectors.resource_to_book(policy.resource_id)
    finally:
        post_init.disconnect(listener, sender=Resource)
    assert seen == ["Resource"]


class _CountedResource(Resource):
    """A model that does its own work in __init__: the fixed-SQL reader must let it."""

    class Meta:
        proxy = True
        app_label = "catalogue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.made_by_init = True


def test_a_model_with_its_own_init_is_made_through_it():
    resource = BookingPolicyFactory().resource
    loader = rawsql.RowLoader(_CountedResource, "r")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {loader.columns()} FROM catalogue_resource r WHERE r.id = %s", [resource.pk])
        loaded = loader.load(cursor.fetchone())
    assert type(loaded) is _CountedResource and loaded.made_by_init and loaded.pk == resource.pk
    assert rawsql.RowLoader(Resource, "r")._plain and not loader._plain


def test_a_resource_without_policy_or_id_is_not_bookable():
    policy = BookingPolicyFactory()
    BookingPolicy.objects.filter(pk=policy.pk).delete()
    resource = selectors.resource_to_book(policy.resource_id)
    assert resource is not None and getattr(resource, "booking_policy", None) is None
    assert selectors.resource_to_book(10**12) is None


def test_the_prices_read_with_the_resource_give_the_quote_the_orm_gives(django_assert_num_queries):
    """Two price lists one after the other, the second ending; quotes on each side of every boundary, for an
    internal academic and a company, with and without the prices read with the resource."""
    policy = BookingPolicyFactory()
    resource = policy.resource
    first = days_ahead(10, 10)
    hourly_price_list(
        resource, valid_from=first.date(), valid_to=first.date() + datetime.timedelta(days=4),
        internal="300.00", non_economic="550.00", economic="577.50",
    )  # fmt: skip
    day = datetime.timedelta(days=1)
    later = hourly_price_list(
        resource, valid_from=first.date() + 5 * day, valid_to=first.date() + 9 * day,
        internal="310.00", non_economic="560.00", economic="590.00",
    )  # fmt: skip
    PriceListItemFactory(price_list=later, tier="internal", unit="day", price=Decimal("1000.00"))
    academic = UserFactory(kind="academic", institution=resource.facility.institution)
    company = UserFactory(company_name="Biotek AS")
    quotes = set()
    for offset in (-1, 0, 4, 5, 9, 10):
        start = first + datetime.timedelta(days=offset)
        for user, activity in ((academic, "non_economic"), (company, "economic"), (company, "non_economic")):
            asked = {"user": user, "activity": activity, "start": start, "end": start + datetime.timedelta(hours=7)}
            with django_assert_num_queries(1):
                loaded = selectors.resource_to_book(resource.pk, price_day=timezone.localdate(start))
                quote = pricing_selectors.booking_quote(resource=loaded, **asked)
            assert quote == pricing_selectors.booking_quote(resource=Resource.objects.get(pk=resource.pk), **asked)
            quotes.add(quote and (quote.unit, quote.total_amount))
    assert {None, ("day", Decimal("1000.00")), ("hour", Decimal("2100.00"))} < quotes  # each case was met


def test_prices_read_for_another_day_are_not_used_for_this_one(django_assert_num_queries):
    policy = BookingPolicyFactory()
    start = days_ahead(10, 10)
    hourly_price_list(
        policy.resource, valid_from=start.date(), valid_to=None, internal="1", non_economic="2", economic="3"
    )
    loaded = selectors.resource_to_book(policy.resource_id, price_day=start.date() - datetime.timedelta(days=1))
    company = UserFactory()
    with django_assert_num_queries(1):
        quote = pricing_selectors.booking_quote(
            resource=loaded, user=company, activity="economic", start=start, end=start + datetime.timedelta(hours=1)
        )
    assert quote.total_amount == Decimal("3.75")


def test_a_stored_booking_reads_back_as_written_with_its_price_and_history():
    policy = BookingPolicyFactory()
    start = days_ahead(5, 10)
    hourly_price_list(
        policy.resource, valid_from=start.date() - datetime.timedelta(days=30), valid_to=None,
        internal="300.00", non_economic="550.00", economic="577.50",
    )  # fmt: skip
    user = UserFactory(company_name="Biotek Æøå AS")
    group = uuid.uuid4()
    booking = services.booking_create(
        resource=selectors.resource_to_book(policy.resource_id), user=user, start=start,
        end=start + datetime.timedelta(hours=2), activity="economic", access_model="rental",
        purpose="Prøver \u00abmed\u00bb anførselstegn", recurrence_group=group,
    )  # fmt: skip
    stored = Booking.objects.get(pk=booking.pk)
    assert _values(stored) == _values(booking)
    assert stored.total_amount == Decimal("1443.75")  # 2 h x 577.50 + 25 % VAT
    assert stored.recurrence_group == group and stored.payer_name == "Biotek Æøå AS"
    assert stored.created_at is not None and stored.blocked_until == stored.end
    event = BookingEvent.objects.get(booking=stored)
    assert (event.actor, event.action, event.to_status, event.details) == (user, "confirmed", "confirmed", {})
    assert (event.from_status, event.reason) == ("", "")
    assert event.at == stored.created_at or connection.vendor != "postgresql"  # one statement: one moment
    email = OutgoingEmail.objects.get(kind__startswith="booking.", object_id=stored.pk)
    assert (email.kind, email.attempts) == ("booking.confirmed", 0) and email.send_after <= timezone.now()


def test_a_closure_refuses_the_booking_and_stores_nothing():
    policy = BookingPolicyFactory()
    start = days_ahead(5, 10)
    ClosureFactory(resource=policy.resource, start=start, end=start + datetime.timedelta(hours=4))
    with pytest.raises(ConflictError) as refused:
        services.booking_create(
            resource=selectors.resource_to_book(policy.resource_id), user=UserFactory(), start=start,
            end=start + datetime.timedelta(hours=1), activity="economic", access_model="rental",
        )  # fmt: skip
    assert refused.value.code == "unavailable"
    assert not Booking.objects.exists() and not BookingEvent.objects.exists()


def test_a_raw_insert_applies_defaults_and_auto_now():
    booking = services.booking_create(
        resource=BookingPolicyFactory().resource, user=UserFactory(), start=days_ahead(5, 10),
        end=days_ahead(5, 11), activity="non_economic", access_model="collaboration",
    )  # fmt: skip
    event = rawsql.insert(BookingEvent(booking=booking, action="cancelled", to_status="cancelled"))
    stored = BookingEvent.objects.get(pk=event.pk)
    assert stored.at == event.at and stored.at is not None
    assert stored.details == {} and stored.reason == "" and stored.actor is None


@pytest.mark.postgres
def test_an_api_booking_costs_four_statements_token_resource_with_prices_the_store_and_its_email():
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    policy = BookingPolicyFactory()
    start = days_ahead(5, 10)
    hourly_price_list(
        policy.resource, valid_from=start.date(), valid_to=None, internal="1", non_economic="2", economic="3"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=UserFactory())[1]}")
    body = {
        "resource": policy.resource_id, "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(), "activity": "economic", "access_model": "rental",
    }  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 201 and response.json()["total_amount"] == "3.75"
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 4, statements  # in a test's transaction the store also sets a savepoint
    assert "accounts_apitoken" in statements[0] and "pricing_pricelistitem" in statements[1]
    assert statements[2].startswith("WITH blocked AS")
    assert statements[3].startswith('INSERT INTO "core_outgoingemail"')  # in the store's transaction


@pytest.mark.postgres
def test_prepared_statements_still_show_their_sql_in_the_query_log():
    """psycopg prepares a statement after a few runs and then sends no text; Django would log the SQL as None."""
    resource = BookingPolicyFactory().resource
    with CaptureQueriesContext(connection) as captured:
        for _ in range(8):
            selectors.resource_to_book(resource.pk)
    assert len(captured) == 8
    assert all("FROM catalogue_resource" in (query["sql"] or "") for query in captured)


@pytest.mark.postgres
def test_a_value_too_long_for_its_column_is_refused_not_cut():
    """A parameter cast to varchar(3) would be cut to fit; the statement must refuse it as the ORM's INSERT does."""
    from django.db import DataError, transaction

    policy = BookingPolicyFactory()
    start = days_ahead(5, 10)
    booking = Booking(
        resource=policy.resource, user=UserFactory(), start=start, end=start + datetime.timedelta(hours=1),
        blocked_until=start + datetime.timedelta(hours=1), status="confirmed", activity="economic",
        access_model="rental", currency="NOKX",
    )  # fmt: skip
    columns, values, params = rawsql.insert_parts(booking)
    with pytest.raises(DataError), transaction.atomic(), rawsql.cursor() as cursor:
        cursor.execute(f"INSERT INTO booking_booking ({columns}) SELECT {values}", params)
    assert not Booking.objects.exists()


@pytest.mark.postgres
def test_the_storing_statement_stays_within_psycopgs_statement_cache():
    """Above psycopg's limit the statement would be parsed again on every booking (no error, only slower): the
    longest case, an external user's request (all closure kinds), must stay within it."""
    from psycopg import _queries

    policy = BookingPolicyFactory(requires_approval=True)
    start = days_ahead(5, 10)
    booking = Booking(
        resource=policy.resource, user=UserFactory(), start=start, end=start + datetime.timedelta(hours=1),
        blocked_until=start + datetime.timedelta(hours=1), status="pending", activity="economic",
        access_model="rental", recurrence_group=uuid.uuid4(), expires_at=start,
    )  # fmt: skip
    sql, params = storing._store_statement(booking, user=booking.user, action="requested")
    assert storing.STORE_STATEMENT_MAX_PARAMS <= _queries.MAX_CACHED_STATEMENT_PARAMS
    assert len(params) <= storing.STORE_STATEMENT_MAX_PARAMS
    assert len(sql.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH  # psycopg's other condition
    assert sql.count("%s") == len(params)
