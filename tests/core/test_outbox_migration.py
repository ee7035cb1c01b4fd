"""Upgrading a database at the schema before core's outbox: booking e-mails that wait are moved, none is lost."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.models import OutgoingEmail
from core.outbox import outbox_send_due
from tests.booking.factories import BookingFactory
from tests.factories import FacilityManagerFactory, UserFactory

BEFORE = [("booking", "0103_stateaidalert_to_accounting")]  # the schema before core's outbox


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # the loader reads the new state


def latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_booking_emails_waiting_at_the_upgrade_are_moved_to_cores_outbox_and_sent():
    user = UserFactory(language="en")
    booking = BookingFactory(user=user, status="pending", start=timezone.now() + datetime.timedelta(days=3))
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    written = timezone.now() - datetime.timedelta(minutes=30)
    try:
        executor = migrate(BEFORE)
        old_outbox = executor.loader.project_state(BEFORE).apps.get_model("booking", "OutgoingEmail")
        old_outbox.objects.create(booking_id=booking.pk, kind="requested", created_at=written, send_after=written)
        old_outbox.objects.create(
            booking_id=booking.pk, kind="to_managers", created_at=written, send_after=written, attempts=2
        )

        migrate(latest())
        moved = OutgoingEmail.objects.order_by("kind")
        assert [(e.kind, e.object_id, e.payload, e.attempts) for e in moved] == [
            ("booking.requested", booking.pk, {}, 0),
            ("booking.to_managers", booking.pk, {}, 2),
        ]
        assert all(email.created_at == written and email.send_after == written for email in moved)
        assert "booking_outgoingemail" not in connection.introspection.table_names()

        # Back again (a release rolled back): the booking e-mails return to booking's table.
        executor = migrate(BEFORE)
        old_outbox = executor.loader.project_state(BEFORE).apps.get_model("booking", "OutgoingEmail")
        assert sorted(old_outbox.objects.values_list("kind", "attempts")) == [("requested", 0), ("to_managers", 2)]
        assert not OutgoingEmail.objects.exists()
    finally:
        migrate(latest())
    assert OutgoingEmail.objects.count() == 2
    assert outbox_send_due() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([user.email, manager.email])
