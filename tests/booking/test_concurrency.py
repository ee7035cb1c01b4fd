"""Thirty people click "book" on the same slot at the same moment, each on their own database connection.

The control test removes both guards (the exclusion constraint and the application check) and shows that the
same race then stores more than one booking, so the main test would catch a regression.
"""

import contextlib
import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from booking import services
from booking.models import Booking
from booking.services import storing
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.factories import UserFactory

PARALLEL = 30


def _race(resource, users) -> list[int]:
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []
    lock = threading.Lock()
    payload = {
        "resource": resource.pk,
        "start": days_ahead(3, 10).isoformat(),
        "end": days_ahead(3, 12).isoformat(),
        "activity": "economic",
        "access_model": "rental",
    }

    def request(user):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/v1/bookings/", payload, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_requests_for_one_slot_give_one_booking_and_29_conflicts():
    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(PARALLEL)]
    statuses = _race(resource, users)
    assert sorted(statuses) == [201] + [409] * (PARALLEL - 1)
    assert Booking.objects.filter(resource=resource, status__in=["pending", "confirmed"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_constraint_alone_holds_the_line(monkeypatch):
    """Without the application's own check the exclusion constraint still lets exactly one request win."""
    monkeypatch.setattr(storing, "overlap_checked_in_app", lambda: False)
    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(PARALLEL)]
    statuses = _race(resource, users)
    assert sorted(statuses) == [201] + [409] * (PARALLEL - 1)
    assert Booking.objects.filter(resource=resource, status__in=["pending", "confirmed"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_constraint_and_check_the_race_double_books(monkeypatch):
    constraint = next(c for c in Booking._meta.constraints if c.name == services.OVERLAP_CONSTRAINT)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, constraint)
    monkeypatch.setattr(storing, "overlap_checked_in_app", lambda: False)
    try:
        resource = BookingPolicyFactory().resource
        users = [UserFactory() for _ in range(PARALLEL)]
        statuses = _race(resource, users)
        stored = Booking.objects.filter(resource=resource).count()
        assert stored > 1, "without the guards the race stores several bookings for one slot"
        assert statuses.count(201) == stored
    finally:
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, constraint)


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_on_sqlite_are_serialised_too():
    """The same invariant on the embedded database, where the service serialises writers."""
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL variant above covers this")
    resource = BookingPolicyFactory().resource
    users = [UserFactory() for _ in range(8)]
    statuses = _race(resource, users)
    assert sorted(statuses) == [201] + [409] * 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("inside_a_transaction", [False, True], ids=["autocommit", "in a caller's transaction"])
def test_a_refusal_by_the_constraint_still_answers_409_with_alternatives(monkeypatch, inside_a_transaction):
    """The request that loses the race is refused by the exclusion constraint, not by the check (turned off here
    to stand for the parallel winner). The answer is the same 409 with alternatives, also when the booking is
    stored inside a caller's transaction, as a series or an Idempotency-Key request is."""
    from django.db import transaction

    from core.errors import ConflictError

    monkeypatch.setattr(storing, "overlap_checked_in_app", lambda: False)
    resource = BookingPolicyFactory().resource
    slot = {"start": days_ahead(3, 10), "end": days_ahead(3, 12), "activity": "economic", "access_model": "rental"}
    services.booking_create(resource=resource, user=UserFactory(), **slot)
    with transaction.atomic() if inside_a_transaction else contextlib.nullcontext():
        with pytest.raises(ConflictError) as refused:
            services.booking_create(resource=resource, user=UserFactory(), **slot)
        assert refused.value.code == "slot_taken" and refused.value.extra["alternatives"]
        assert Booking.objects.filter(resource=resource).count() == 1  # the transaction is still usable


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_idempotent_request_that_loses_to_the_constraint_gets_409_not_500(monkeypatch):
    monkeypatch.setattr(storing, "overlap_checked_in_app", lambda: False)
    resource = BookingPolicyFactory().resource
    payload = {"resource": resource.pk, "start": days_ahead(3, 10).isoformat(), "end": days_ahead(3, 12).isoformat(),
               "activity": "economic", "access_model": "rental"}  # fmt: skip
    first, second = APIClient(), APIClient()
    first.force_authenticate(UserFactory())
    second.force_authenticate(UserFactory())
    assert first.post("/api/v1/bookings/", payload, format="json").status_code == 201
    response = second.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 409 and response.json()["alternatives"]
    again = second.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 409 and again.headers["Idempotent-Replayed"] == "true"
