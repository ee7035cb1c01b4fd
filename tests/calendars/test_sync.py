"""Reading feeds from a local HTTP server: what is stored, what a failure keeps, the limits, who is told."""

import datetime
import io
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from calendars import services
from calendars.models import ExternalBusyInterval, ExternalCalendar
from tests.calendars.conftest import feed_text, oslo
from tests.core.rebinding import Listener, rebinding_resolver

pytestmark = pytest.mark.django_db


def _calendar(resource, url, name="BookitLab"):
    return ExternalCalendar.objects.create(resource=resource, url=url, name=name)


def _stored(calendar):
    return sorted(ExternalBusyInterval.objects.filter(calendar=calendar).values_list("start", "end"))


def test_a_feed_is_read_and_its_busy_time_stored_for_the_resource(feed_server, resource, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    calendar = _calendar(resource, feed_server.url("/lab.ics"))
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == "" and outcome.stored > 0
    stored = _stored(calendar)
    assert (oslo(base, 9), oslo(base, 11)) in stored
    assert all(resource_id == resource.pk for resource_id in
               ExternalBusyInterval.objects.values_list("resource_id", flat=True))  # fmt: skip
    calendar.refresh_from_db()
    assert calendar.last_success_at is not None and calendar.error_code == "" and calendar.busy_count == len(stored)


def test_an_unchanged_feed_answers_304_and_keeps_its_busy_time(feed_server, resource, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base), "etag": '"v1"'}
    calendar = _calendar(resource, feed_server.url("/lab.ics"))
    services.external_calendar_sync(calendar_id=calendar.pk)
    before = _stored(calendar)
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.not_modified
    assert feed_server.requests[-1][1].get("If-None-Match") == '"v1"'
    assert _stored(calendar) == before


def test_a_changed_feed_replaces_the_busy_time(feed_server, resource, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    calendar = _calendar(resource, feed_server.url("/lab.ics"))
    services.external_calendar_sync(calendar_id=calendar.pk)
    feed_server.routes["/lab.ics"] = {"body": feed_text("freebusy.ics", base)}
    services.external_calendar_sync(calendar_id=calendar.pk)
    stored = _stored(calendar)
    assert (oslo(base, 9), oslo(base, 11)) in stored  # in both
    assert not any(start == oslo(base + datetime.timedelta(days=2), 0) for start, _ in stored)


@pytest.mark.parametrize(
    ("situation", "route", "code"),
    [
        ("the server answers an error", {"status": 500, "body": b"oops"}, "http_status"),
        ("the feed is gone", None, "http_status"),
        ("a log-in page instead of a calendar", {"body": b"<html><body>Log in</body></html>"}, "not_calendar"),
        ("a broken calendar", {"body": b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"}, "unreadable"),
        ("a feed that says it is 50 MB", {"body": b"x", "headers": {"Content-Length": str(50 * 1024 * 1024)}},
         "too_large"),
        ("a feed without a length that never ends", {"endless": True}, "too_large"),
    ],
)  # fmt: skip
def test_a_failing_feed_keeps_the_last_known_busy_time_and_says_why(
    feed_server, resource, base, settings, situation, route, code
):
    settings.EXTERNAL_CALENDARS_MAX_BYTES = 1024 * 1024
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    calendar = _calendar(resource, feed_server.url("/lab.ics"))
    services.external_calendar_sync(calendar_id=calendar.pk)
    before = _stored(calendar)
    assert before
    if route is None:
        del feed_server.routes["/lab.ics"]
    else:
        feed_server.routes["/lab.ics"] = route
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == code, situation
    assert _stored(calendar) == before, situation
    calendar.refresh_from_db()
    assert calendar.error_code == code and calendar.error_detail and calendar.error_since is not None
    assert calendar.last_success_at is not None  # "last updated" still says when the stored time was read


@pytest.mark.parametrize("route", [{"delay": 3}, {"drip": 0.2}], ids=["no answer", "an answer that trickles"])
def test_a_slow_feed_times_out_without_holding_up_the_rest(feed_server, resource, base, settings, route):
    settings.EXTERNAL_CALENDARS_TIMEOUT_SECONDS = 1
    feed_server.routes["/slow.ics"] = {**route, "body": feed_text("bookitlab.ics", base)}
    calendar = _calendar(resource, feed_server.url("/slow.ics"))
    started = time.monotonic()
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == "timeout"
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/feed.ics", "http://localhost/feed.ics", "http://10.0.0.5/feed.ics",
     "http://169.254.169.254/latest/meta-data/", "http://[::1]/feed.ics"],
)  # fmt: skip
def test_a_feed_at_a_private_address_is_never_called(feed_server, resource, settings, url):
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    calendar = _calendar(resource, url)
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == "not_public"


def test_a_redirect_to_a_private_address_is_not_followed(feed_server, resource, settings, base):
    feed_server.routes["/lab.ics"] = {"status": 302, "headers": {"Location": "http://10.0.0.5/inside.ics"}}
    calendar = _calendar(resource, feed_server.url("/lab.ics"))
    # The first hop is allowed (the test server is on loopback); the second is checked again and refused.
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == "not_public"


def test_a_feed_whose_name_rebinds_to_a_private_address_is_never_connected_to(resource, settings, monkeypatch):
    """DNS rebinding: the name answers a public address to the check and 127.0.0.1 to the connection."""
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    with Listener() as listener:
        rebinding_resolver(monkeypatch, "calendar.rebind.example")
        calendar = _calendar(resource, f"https://calendar.rebind.example:{listener.port}/lab.ics")
        outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == "not_public"
    assert listener.accepted == 0


def test_a_stored_plain_http_feed_is_not_read_in_production(feed_server, resource, settings, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    calendar = _calendar(resource, feed_server.url("/lab.ics").replace("127.0.0.1", "93.184.216.34"))
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.error == "not_https"
    calendar.refresh_from_db()
    assert calendar.error_code == "not_https"


def test_the_command_reads_the_feeds_of_one_resource(feed_server, resource, base):
    from tests.booking.factories import BookingPolicyFactory

    other = BookingPolicyFactory().resource
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    mine = _calendar(resource, feed_server.url("/lab.ics"))
    theirs = _calendar(other, feed_server.url("/lab.ics"))
    call_command("sync_external_calendars", "--resource", str(resource.pk), stdout=io.StringIO())
    assert _stored(mine) and not _stored(theirs)


def test_the_periodic_task_reads_due_feeds_and_one_failure_does_not_stop_the_others(
    feed_server, resource, base, django_capture_on_commit_callbacks
):
    from calendars import tasks

    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    broken = _calendar(resource, feed_server.url("/missing.ics"), name="Broken")
    working = _calendar(resource, feed_server.url("/lab.ics"))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_due_calendars.apply()  # eager: each queued sync runs after the commit
    assert _stored(working)
    broken.refresh_from_db()
    assert broken.error_code == "http_status"
    assert services.calendars_due_ids() == []  # read now: not due again until the interval has passed


def test_a_feed_waiting_for_a_worker_is_not_queued_again_by_the_next_run(resource, django_capture_on_commit_callbacks):
    _calendar(resource, "https://example.org/a.ics")
    with django_capture_on_commit_callbacks() as queued:  # not run: the workers are busy
        assert services.calendars_sync_queue() == 1
    assert len(queued) == 1
    assert services.calendars_sync_queue(now=timezone.now() + datetime.timedelta(minutes=1)) == 0
    assert services.calendars_sync_queue(now=timezone.now() + datetime.timedelta(minutes=16)) == 1


def test_managers_are_told_once_when_a_feed_has_been_failing_too_long(
    feed_server, resource, manager, settings, django_capture_on_commit_callbacks
):
    settings.EXTERNAL_CALENDARS_STALE_HOURS = 24
    calendar = _calendar(resource, feed_server.url("/missing.ics"))
    services.external_calendar_sync(calendar_id=calendar.pk)
    later = timezone.now() + datetime.timedelta(hours=25)
    assert services.stale_calendars_notify(now=later - datetime.timedelta(hours=2)) == 0  # not stale yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stale_calendars_notify(now=later) == 1
    assert services.stale_calendars_notify(now=later) == 0  # once
    sent = [message for message in mail.outbox if manager.email in message.to]
    assert len(sent) == 1
    assert resource.name in sent[0].subject
    assert "BookitLab" in sent[0].body


def test_a_stale_feed_of_a_facility_without_managers_reaches_the_institution_admins(
    feed_server, resource, django_capture_on_commit_callbacks
):
    from catalogue.choices import InstitutionRoleKind
    from tests.factories import InstitutionRoleFactory

    admin = InstitutionRoleFactory(institution=resource.facility.institution, role=InstitutionRoleKind.ADMIN).user
    calendar = _calendar(resource, feed_server.url("/missing.ics"))
    services.external_calendar_sync(calendar_id=calendar.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.stale_calendars_notify(now=timezone.now() + datetime.timedelta(hours=25))
    assert any(admin.email in message.to for message in mail.outbox)


def test_the_same_calendar_again_without_validators_is_not_parsed_again(feed_server, resource, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    calendar = _calendar(resource, feed_server.url("/lab.ics"))
    services.external_calendar_sync(calendar_id=calendar.pk)
    before = _stored(calendar)
    outcome = services.external_calendar_sync(calendar_id=calendar.pk)
    assert outcome.not_modified and _stored(calendar) == before
    feed_server.routes["/lab.ics"] = {"body": feed_text("freebusy.ics", base)}
    assert not services.external_calendar_sync(calendar_id=calendar.pk).not_modified
    assert _stored(calendar) != before
