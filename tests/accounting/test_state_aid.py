"""The 20 % state-aid monitor: economic hours per resource and year against capacity, warnings, alerts, e-mail."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.test import RequestFactory

from accounting import panels, selectors, services
from accounting.models import StateAidAlert
from accounting.tasks import send_state_aid_alerts
from booking.choices import BookingStatus
from catalogue.choices import InstitutionRoleKind
from pricing import selectors as pricing_selectors
from tests.accounting.helpers import non_economic
from tests.booking.factories import BookingFactory
from tests.factories import (
    AcademicUserFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    ResourceFactory,
    UserFactory,
)
from tests.helpers import oslo
from tests.pricing.factories import CollaborationAgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def capacity(monkeypatch):
    """Pricing's capacity contract, answered from a dict {resource_id: hours} the test fills in."""
    hours = {}
    monkeypatch.setattr(
        pricing_selectors,
        "annual_capacity_hours_for_resources",
        lambda *, resources, year: {r.id: hours.get((r.id, year)) for r in resources},
    )
    return hours


def shares_by_name(resources, year):
    return {share.resource.name: share for share in selectors.state_aid_shares(resources=resources, year=year)}


def test_counts_confirmed_completed_and_no_show_economic_hours_only(capacity):
    resource = ResourceFactory(name="MR-skanner")
    capacity[(resource.id, 2026)] = Decimal("100")
    for status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        BookingFactory(charged=True, resource=resource, status=status, start=oslo(2026, 3, 2 + len(status), 9), hours=3)
    # None of these allocate economic capacity:
    for day, status in enumerate(
        (BookingStatus.PENDING, BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED), start=10
    ):
        BookingFactory(charged=True, resource=resource, status=status, start=oslo(2026, 3, day, 9), hours=5)
    BookingFactory(
        charged=True, resource=resource, start=oslo(2026, 4, 1, 9), hours=7, user=AcademicUserFactory(),
        **non_economic(),
    )  # fmt: skip
    BookingFactory(charged=True, resource=resource, start=oslo(2025, 4, 1, 9), hours=11)  # another year

    share = shares_by_name(resource.facility.resources.all(), 2026)["MR-skanner"]

    assert share.economic_hours == Decimal("9.00")
    assert share.capacity_hours == Decimal("100")
    assert share.share == Decimal("0.09")
    assert share.level == selectors.LEVEL_OK


# (who booked, the activity stored, under an agreement, counts as economic): a company's use is economic unless an
# approved collaboration agreement made it non-economic, whatever a booking made before the server decided says.
@pytest.mark.parametrize(
    "who, activity, agreement, counts",
    [
        ("company", "economic", False, True),
        ("company", "non_economic", False, True),  # a company that chose "non-economic" itself before
        ("company", "non_economic", True, False),  # collaboration research under an approved agreement
        ("academic", "economic", False, True),
        ("academic", "non_economic", False, False),
        ("academic", "non_economic", True, False),
    ],
)
def test_company_hours_count_as_economic_unless_under_a_collaboration_agreement(
    capacity, who, activity, agreement, counts
):
    resource = ResourceFactory(name="MR-skanner")
    capacity[(resource.id, 2026)] = Decimal("100")
    user = UserFactory() if who == "company" else AcademicUserFactory()
    BookingFactory(
        charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=4, user=user, activity=activity,
        collaboration_agreement=CollaborationAgreementFactory(facility=resource.facility) if agreement else None,
    )  # fmt: skip
    share = shares_by_name(resource.facility.resources.all(), 2026)["MR-skanner"]
    assert share.economic_hours == (Decimal("4.00") if counts else Decimal("0.00"))
    assert (resource in selectors.resources_with_economic_use(year=2026)) is counts


def test_booking_across_new_year_counts_in_each_year_by_its_hours_there(capacity):
    resource = ResourceFactory()
    capacity[(resource.id, 2025)] = capacity[(resource.id, 2026)] = Decimal("10")
    BookingFactory(charged=True, resource=resource, start=oslo(2025, 12, 31, 22), hours=5)  # 2 h in 2025, 3 h in 2026

    resources = resource.facility.resources.all()
    assert shares_by_name(resources, 2025)[resource.name].economic_hours == Decimal("2.00")
    assert shares_by_name(resources, 2026)[resource.name].economic_hours == Decimal("3.00")


def test_clock_change_hours_are_real_hours(capacity):
    """On 29 March 2026 Oslo skips 02:00–03:00: a booking from 00:00 to 04:00 local lasts three hours."""
    resource = ResourceFactory()
    booking = BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 29, 0))
    booking.end = oslo(2026, 3, 29, 4)
    booking.save()

    share = shares_by_name(resource.facility.resources.all(), 2026)[resource.name]
    assert share.economic_hours == Decimal("3.00")


def test_levels_at_the_thresholds(capacity):
    facility = FacilityFactory()
    names_and_hours = {"under": 14, "warning": 15, "just-under-alert": 19.5, "alert": 20, "over": 35}
    for name, hours in names_and_hours.items():
        resource = ResourceFactory(facility=facility, name=name)
        capacity[(resource.id, 2026)] = Decimal("100")
        BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=hours)
    ResourceFactory(facility=facility, name="no-cost-base")

    shares = shares_by_name(facility.resources.all(), 2026)

    assert {name: share.level for name, share in shares.items()} == {
        "under": "ok",
        "warning": "warning",
        "just-under-alert": "warning",
        "alert": "alert",
        "over": "alert",
        "no-cost-base": "unknown",
    }
    assert shares["over"].share_percent == Decimal("35.0")
    assert shares["no-cost-base"].capacity_hours is None and shares["no-cost-base"].share is None


def test_thresholds_come_from_settings(capacity, settings):
    settings.STATE_AID_WARNING_SHARE = 0.05
    settings.STATE_AID_ALERT_SHARE = 0.10
    resource = ResourceFactory()
    capacity[(resource.id, 2026)] = Decimal("100")
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=12)

    assert shares_by_name(resource.facility.resources.all(), 2026)[resource.name].level == "alert"


def test_one_query_for_all_resources_of_an_institution(capacity, django_assert_num_queries):
    facility = FacilityFactory()
    other = FacilityFactory(institution=facility.institution)
    for f in (facility, other):
        for _ in range(4):
            resource = ResourceFactory(facility=f)
            BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9))
            BookingFactory(
                charged=True, resource=resource, start=oslo(2026, 5, 5, 9), user=AcademicUserFactory(),
                **non_economic(),
            )  # fmt: skip
    scope = selectors.institution_scope(facility.institution_id)

    with django_assert_num_queries(1):
        shares = selectors.state_aid_shares(resources=selectors.resources_of_facilities(scope.facility_ids), year=2026)
    assert len(shares) == 8
    assert all(share.economic_hours == Decimal("2.00") for share in shares)


# --- Panels ----------------------------------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_facility_panel_shows_alert_to_manager_and_nothing_to_others(capacity, time_machine_2026):
    manager = FacilityManagerFactory()
    resource = ResourceFactory(facility=manager.facility)
    capacity[(resource.id, 2026)] = Decimal("10")
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=3)

    context = panels.facility_state_aid_panel(_request(manager.user), manager.facility)
    assert context["has_alert"] and context["shares"][0].share == Decimal("0.3")
    assert panels.facility_state_aid_panel(_request(AcademicUserFactory()), manager.facility) is None


def test_dashboard_panel_lists_only_resources_past_the_warning_line(capacity, time_machine_2026):
    manager = FacilityManagerFactory()
    busy, calm = ResourceFactory(facility=manager.facility), ResourceFactory(facility=manager.facility)
    capacity[(busy.id, 2026)] = capacity[(calm.id, 2026)] = Decimal("10")
    BookingFactory(charged=True, resource=busy, start=oslo(2026, 3, 2, 9), hours=1.6)
    BookingFactory(charged=True, resource=calm, start=oslo(2026, 3, 2, 9), hours=1)

    context = panels.dashboard_state_aid_panel(_request(manager.user))
    assert [s.resource for s in context["shares"]] == [busy]
    assert not context["has_alert"]
    assert panels.dashboard_state_aid_panel(_request(AcademicUserFactory())) is None


@pytest.fixture
def time_machine_2026(monkeypatch):
    """The monitor looks at the current year; pin it to 2026 where the bookings are."""
    monkeypatch.setattr(selectors, "current_year", lambda: 2026)


# --- E-mail to institution admins ------------------------------------------------------------------------------


def admin_of(institution, language="nb", **kwargs):
    return InstitutionRoleFactory(
        institution=institution,
        role=InstitutionRoleKind.ADMIN,
        user=AcademicUserFactory(institution=institution, language=language, **kwargs),
    ).user


def test_alert_email_goes_once_per_resource_year_and_level_in_the_admins_language(capacity, settings, run_alerts):
    settings.LANGUAGE_CODE = "nb"
    facility = FacilityFactory()
    norwegian = admin_of(facility.institution, "nb")
    english = admin_of(facility.institution, "en")
    InstitutionRoleFactory(institution=facility.institution, role=InstitutionRoleKind.SCREENER)  # not told
    resource = ResourceFactory(facility=facility, name="Massespektrometer")
    capacity[(resource.id, 2026)] = Decimal("100")
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=16)

    sent = run_alerts(2026)
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([norwegian.email, english.email])
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Massespektrometer" in by_recipient[english.email].body
    assert "16" in by_recipient[english.email].body
    assert "state-aid" in by_recipient[english.email].subject
    assert by_recipient[norwegian.email].subject != by_recipient[english.email].subject

    mail.outbox.clear()
    assert run_alerts(2026) == 0  # the warning was told already
    assert mail.outbox == []

    BookingFactory(charged=True, resource=resource, start=oslo(2026, 6, 1, 9), hours=5)  # now 21 %: the alert is news
    assert run_alerts(2026) == 2
    assert all("21" in m.body for m in mail.outbox)
    assert set(StateAidAlert.objects.values_list("level", flat=True)) == {"warning", "alert"}
    mail.outbox.clear()
    assert run_alerts(2026) == 0


def test_no_email_below_the_line_without_capacity_or_without_admin(capacity, run_alerts):
    below, unknown, orphan = ResourceFactory(), ResourceFactory(), ResourceFactory()
    admin_of(below.facility.institution)
    admin_of(unknown.facility.institution)
    capacity[(below.id, 2026)] = capacity[(orphan.id, 2026)] = Decimal("100")
    BookingFactory(charged=True, resource=below, start=oslo(2026, 3, 2, 9), hours=14)
    BookingFactory(charged=True, resource=unknown, start=oslo(2026, 3, 2, 9), hours=50)
    BookingFactory(
        charged=True, resource=orphan, start=oslo(2026, 3, 2, 9), hours=50
    )  # institution without admin: tried again next run

    assert run_alerts(2026) == 0
    assert mail.outbox == []
    assert not StateAidAlert.objects.exists()

    admin = admin_of(orphan.facility.institution)
    assert run_alerts(2026) == 1
    assert mail.outbox[0].to == [admin.email]


def test_task_runs_the_service_for_the_current_year(capacity, time_machine_2026, django_capture_on_commit_callbacks):
    resource = ResourceFactory()
    admin_of(resource.facility.institution)
    capacity[(resource.id, 2026)] = Decimal("10")
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 2, 9), hours=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_state_aid_alerts.delay().get(disable_sync_subtasks=False) == 1
    assert len(mail.outbox) == 1


@pytest.fixture
def run_alerts(django_capture_on_commit_callbacks):
    """Run the service and the e-mails it queues on commit (tests never commit)."""

    def run(year):
        with django_capture_on_commit_callbacks(execute=True):
            return services.state_aid_alerts_send(year=year)

    return run


def test_the_worker_finds_the_task_the_daily_beat_entry_names():
    """A fresh process, as a worker starts: accounting's tasks are found by autodiscovery, under the beat's name."""
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from config.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(settings.CELERY_BEAT_SCHEDULE['accounting-state-aid-alerts']['task'] in app.tasks)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_a_day_long_booking_counts_its_hours_exactly_and_next_years_bookings_not_at_all(capacity):
    resource = ResourceFactory(name="Kryo-EM")
    BookingFactory(charged=True, resource=resource, start=oslo(2026, 5, 4, 0), hours=24)
    BookingFactory(charged=True, resource=resource, start=oslo(2027, 1, 5, 9), hours=11)  # next year
    share = shares_by_name(resource.facility.resources.all(), 2026)["Kryo-EM"]
    assert (share.year, share.economic_hours) == (2026, Decimal("24.00"))


def test_the_monitor_looks_only_at_resources_with_economic_use_in_the_year():
    made = {}
    for name, status, start, economic in [
        ("in the year", BookingStatus.CONFIRMED, oslo(2026, 6, 1, 9), True),
        ("cancelled", BookingStatus.CANCELLED, oslo(2026, 6, 1, 9), True),
        ("last year", BookingStatus.COMPLETED, oslo(2025, 6, 1, 9), True),
        ("next year", BookingStatus.CONFIRMED, oslo(2027, 6, 1, 9), True),
        ("non-economic", BookingStatus.COMPLETED, oslo(2026, 6, 1, 9), False),
    ]:
        made[name] = ResourceFactory(name=name)
        extra = {} if economic else {"user": AcademicUserFactory(), **non_economic()}
        BookingFactory(charged=True, resource=made[name], status=status, start=start, hours=2, **extra)
    assert {resource.name for resource in selectors.resources_with_economic_use(year=2026)} == {"in the year"}
