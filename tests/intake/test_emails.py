"""Intake's e-mails go through core's outbox: written in the change's transaction, made when they are sent."""

import pytest
from celery import current_app

from core.models import OutgoingEmail
from core.outbox import outbox_send_due
from intake import services
from intake.models import RequestEvent, Routing
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def test_a_request_without_an_account_writes_its_confirmation_with_it_and_it_survives_a_lost_task(
    valid_request, mailoutbox
):
    request = services.request_submit(data=valid_request)
    assert list(OutgoingEmail.objects.values_list("kind", "object_id")) == [("intake.confirmation", request.pk)]
    assert mailoutbox == []  # the commit's task never ran here
    assert outbox_send_due() == 1
    assert [m.to for m in mailoutbox] == [[valid_request["email"]]]
    assert request.confirmation_token in mailoutbox[0].body


def test_routing_to_two_facilities_writes_one_email_each(world, mailoutbox):
    request = IntakeRequestFactory(institution=world.uio)
    routings = services.request_route(
        request=request, user=world.screener, facilities=[world.facility, world.ntnu_facility]
    )
    routed = OutgoingEmail.objects.filter(kind="intake.routed").order_by("object_id")
    assert list(routed.values_list("object_id", flat=True)) == [routing.pk for routing in routings]
    outbox_send_due()
    assert {world.manager.email, world.ntnu_manager.email} <= {m.to[0] for m in mailoutbox}


def test_tasks_of_the_previous_release_still_send_what_they_name(world, mailoutbox):
    """Messages queued under the old one-e-mail task names during a deploy are still sent."""
    request = IntakeRequestFactory(institution=world.uio)
    event = RequestEvent.objects.create(request=request, from_status="in_screening", to_status="needs_info")
    routing = Routing.objects.create(request=request, facility=world.facility)
    import intake.tasks  # noqa: F401  # registers the old task names, as a worker does at start

    tasks = current_app.tasks
    assert tasks["intake.tasks.send_status_email"].delay(event.pk).get(disable_sync_subtasks=False) == 1
    assert tasks["intake.tasks.send_routing_emails"].delay([routing.pk]).get(disable_sync_subtasks=False) == 1
    assert tasks["intake.tasks.send_queue_email"].delay(request.pk).get(disable_sync_subtasks=False) == 1
    assert [m.to for m in mailoutbox] == [[request.email], [world.manager.email], [world.screener.email]]
