import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from catalogue import selectors
from catalogue.choices import InstitutionRoleKind
from catalogue.models import Facility
from catalogue.tasks import send_freshness_reminders
from core.outbox import outbox_send_due
from tests.factories import (
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
)


def days_ago(days):
    """Today's Oslo date less `days`, read when the test runs (a suite that runs across midnight in Oslo)."""
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("days_since_verified", "stale"),
    [(None, True), (366, True), (365, False), (10, False)],
)
def test_stale_after_a_year_or_never_verified(db, days_since_verified, stale):
    last_verified = None if days_since_verified is None else days_ago(days_since_verified)
    assert selectors.facility_is_stale(FacilityFactory.build(last_verified=last_verified)) is stale


def test_setting_decides_the_period(db, settings):
    settings.CATALOGUE_STALE_AFTER_DAYS = 30
    assert selectors.facility_is_stale(FacilityFactory.build(last_verified=days_ago(31)))


def test_stale_entries_are_flagged_on_page_in_search_and_api(db, client, api_client):
    stale = FacilityFactory(name="Gammel oppføring", last_verified=days_ago(400))
    ContactPersonFactory(facility=stale)
    FacilityFactory(name="Fersk oppføring")
    page = client.get(reverse("catalogue:facility", args=[stale.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Possibly outdated" in page.content.decode()
    results = client.get(reverse("catalogue:search"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert results.count("Possibly outdated") == 1
    flags = {row["name"]: row["is_stale"] for row in api_client.get("/api/v1/facilities/").json()["results"]}
    assert flags == {"Gammel oppføring": True, "Fersk oppføring": False}


def test_reminders_go_to_managers_once_per_period_in_their_language(db, settings, django_capture_on_commit_callbacks):
    settings.CATALOGUE_REMINDER_INTERVAL_DAYS = 30
    stale = FacilityFactory(name="Gammel oppføring", last_verified=days_ago(400))
    english_manager = FacilityManagerFactory(facility=stale, user__language="en").user
    norwegian_manager = FacilityManagerFactory(facility=stale, user__language="nb").user
    FacilityFactory(name="Fersk oppføring")  # not stale: nobody is reminded
    FacilityFactory(name="Gammelt utkast", status="draft", last_verified=None)  # drafts are not public

    with django_capture_on_commit_callbacks(execute=True):
        assert send_freshness_reminders.delay().get(disable_sync_subtasks=False) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {english_manager.email, norwegian_manager.email}
    assert "Gammel oppføring" in by_recipient[english_manager.email].body
    assert "please check" in by_recipient[english_manager.email].subject
    assert "Gammelt utkast" not in by_recipient[english_manager.email].body
    assert by_recipient[norwegian_manager.email].subject != by_recipient[english_manager.email].subject

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_freshness_reminders.delay()
    assert mail.outbox == []  # already reminded this period

    Facility.objects.filter(pk=stale.pk).update(freshness_reminder_sent_on=days_ago(31))
    with django_capture_on_commit_callbacks(execute=True):
        send_freshness_reminders.delay()
    assert len(mail.outbox) == 2


def test_without_managers_the_institution_admins_are_reminded(db, django_capture_on_commit_callbacks):
    stale = FacilityFactory(last_verified=None)
    admin = InstitutionRoleFactory(institution=stale.institution, role=InstitutionRoleKind.ADMIN).user
    with django_capture_on_commit_callbacks(execute=True):
        send_freshness_reminders.delay()
    assert [message.to for message in mail.outbox] == [[admin.email]]


def test_a_reminder_queued_for_an_entry_verified_before_it_is_sent_is_not_sent(db):
    """The e-mail is made when it is sent: an entry the manager verified meanwhile is not in it, and with none
    left, no e-mail goes out."""
    stale = FacilityFactory(last_verified=None)
    FacilityManagerFactory(facility=stale)
    # queued; its sending task is left to the sweep
    assert send_freshness_reminders.delay().get(disable_sync_subtasks=False) == 1
    Facility.objects.filter(pk=stale.pk).update(last_verified=days_ago(0))
    assert outbox_send_due() == 1
    assert mail.outbox == []


def test_verifying_is_one_click_and_clears_the_flag(db, client):
    stale = FacilityFactory(last_verified=days_ago(400), freshness_reminder_sent_on=days_ago(3))
    manager = FacilityManagerFactory(facility=stale).user
    client.force_login(manager)
    dashboard = client.get(reverse("catalogue:dashboard"))
    assert stale.name in dashboard.content.decode()
    response = client.post(reverse("catalogue:facility_verify", args=[stale.slug]), {"next": "dashboard"})
    assert response.status_code == 302 and response["Location"] == reverse("catalogue:dashboard")
    stale.refresh_from_db()
    assert stale.last_verified == days_ago(0) and stale.freshness_reminder_sent_on is None
    assert not selectors.facility_is_stale(stale)
