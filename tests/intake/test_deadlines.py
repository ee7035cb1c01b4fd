import datetime

import pytest

from core.outbox import outbox_send_due
from intake import deadlines, services
from intake.choices import RequestStatus
from tests.helpers import oslo
from tests.intake.factories import IntakeRequestFactory


def test_five_working_days_skip_the_weekend():
    assert deadlines.add_working_days(oslo(2026, 11, 6, 15, 0), 5) == oslo(2026, 11, 13, 15, 0)


def test_a_request_sent_on_saturday_counts_from_monday():
    assert deadlines.add_working_days(oslo(2026, 11, 7, 11, 0), 5) == oslo(2026, 11, 13, 11, 0)


def test_easter_2027_maundy_thursday_good_friday_and_easter_monday_do_not_count():
    # Wednesday before Easter; Thu 25, Fri 26 and Mon 29 March 2027 are holidays; the clocks also go forward
    # on Sunday 28 March, and the deadline keeps the Oslo wall-clock time.
    due = deadlines.add_working_days(oslo(2027, 3, 24, 10, 0), 5)
    assert due == oslo(2027, 4, 5, 10, 0)
    assert due.utcoffset() == datetime.timedelta(hours=2)


def test_constitution_day_17_may_does_not_count():
    assert deadlines.add_working_days(oslo(2027, 5, 14, 12, 0), 5) == oslo(2027, 5, 24, 12, 0)


def test_ascension_day_does_not_count():
    # Thursday 6 May 2027 is Ascension Day.
    assert deadlines.add_working_days(oslo(2027, 5, 5, 9, 0), 1) == oslo(2027, 5, 7, 9, 0)


def test_christmas_and_new_year():
    # 24 Dec 2026 is a Thursday (a working day); 25 and 26 Dec and 1 Jan are holidays.
    assert deadlines.add_working_days(oslo(2026, 12, 23, 9, 0), 5) == oslo(2026, 12, 31, 9, 0)
    assert deadlines.add_working_days(oslo(2026, 12, 31, 9, 0), 1) == oslo(2027, 1, 4, 9, 0)


def test_working_days_between_counts_holidays_out():
    assert deadlines.working_days_between(oslo(2027, 3, 24, 10), oslo(2027, 4, 5, 10)) == 5
    assert deadlines.working_days_between(oslo(2027, 4, 5, 10), oslo(2027, 3, 24, 10)) == 0


@pytest.mark.django_db
def test_submitted_request_gets_a_deadline_of_five_working_days(world, valid_request):
    request = services.request_submit(data=valid_request, user=world.company, now=oslo(2027, 3, 24, 10, 0))
    assert request.deadline_at == oslo(2027, 4, 5, 10, 0)


@pytest.mark.django_db
def test_the_deadline_setting_is_used(world, valid_request, settings):
    settings.INTAKE_RESPONSE_WORKING_DAYS = 2
    request = services.request_submit(data=valid_request, user=world.company, now=oslo(2026, 11, 6, 15, 0))
    assert request.deadline_at == oslo(2026, 11, 10, 15, 0)


@pytest.mark.django_db
def test_the_clock_pauses_while_the_request_needs_information(world, valid_request):
    request = services.request_submit(data=valid_request, user=world.company, now=oslo(2027, 3, 1, 9, 0))
    assert request.deadline_at == oslo(2027, 3, 8, 9, 0)
    # Two working days used (Tue, Wed); three left (Thu, Fri, Mon).
    services.request_ask_for_info(request=request, user=world.screener, message="Budsjett?", now=oslo(2027, 3, 3, 9, 0))
    request.refresh_from_db()
    assert request.status == RequestStatus.NEEDS_INFO
    assert request.deadline_at is None
    assert request.paused_working_days == 3
    # The requester answers twelve days later: the three remaining working days start again from then.
    services.request_add_message(
        request=request, actor=world.company, body="Om lag 100 000 kr.", role="requester", now=oslo(2027, 3, 15, 9, 0)
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_SCREENING
    assert request.deadline_at == oslo(2027, 3, 18, 9, 0)


@pytest.mark.django_db
def test_routing_gives_the_managers_a_fresh_deadline(world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(
        request=request, user=world.screener, facilities=[world.facility], now=oslo(2027, 5, 14, 12, 0)
    )
    request.refresh_from_db()
    assert request.deadline_at == oslo(2027, 5, 24, 12, 0)


@pytest.mark.django_db
def test_reminder_before_and_escalation_after_the_deadline(world, mailoutbox, django_capture_on_commit_callbacks):
    now = oslo(2027, 6, 1, 12, 0)
    soon = IntakeRequestFactory(institution=world.uio, deadline_at=now + datetime.timedelta(hours=5))
    late = IntakeRequestFactory(institution=world.uio, deadline_at=now - datetime.timedelta(hours=1))
    IntakeRequestFactory(institution=world.uio, deadline_at=now + datetime.timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadline_reminders_send(now=now) == 1
        assert services.deadline_escalations_send(now=now) == 1
    reminder = [m for m in mailoutbox if f"nr. {soon.pk}" in m.subject]
    escalation = [m for m in mailoutbox if f"nr. {late.pk}" in m.subject]
    assert [m.to for m in reminder] == [[world.screener.email]]
    assert [m.to for m in escalation] == [[world.inst_admin.email]]
    # Each is sent once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadline_reminders_send(now=now) == 0
        assert services.deadline_escalations_send(now=now) == 0


@pytest.mark.django_db
def test_routed_requests_remind_the_managers(world, mailoutbox, django_capture_on_commit_callbacks):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(
        request=request, user=world.screener, facilities=[world.facility], now=oslo(2027, 6, 1, 12, 0)
    )
    outbox_send_due()  # the routing's own e-mails
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.deadline_reminders_send(now=oslo(2027, 6, 8, 8, 0))
    assert [m.to for m in mailoutbox] == [[world.manager.email]]


@pytest.mark.django_db
def test_paused_requests_are_neither_reminded_nor_escalated(world):
    now = oslo(2027, 6, 1, 12, 0)
    IntakeRequestFactory(institution=world.uio, status=RequestStatus.NEEDS_INFO, deadline_at=None)
    assert services.deadline_reminders_send(now=now) == 0
    assert services.deadline_escalations_send(now=now) == 0
