"""GET/POST /api/v1/resources/{id}/external-calendars/ and DELETE .../{calendar_id}/: managers only, clear errors."""

import pytest
from rest_framework.test import APIClient

from calendars.models import ExternalBusyInterval, ExternalCalendar
from tests.booking.factories import BookingPolicyFactory
from tests.calendars.conftest import feed_text
from tests.factories import FacilityManagerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the first read runs after the commit, as in production


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _url(resource, calendar_id=None) -> str:
    base = f"/api/v1/resources/{resource.pk}/external-calendars/"
    return f"{base}{calendar_id}/" if calendar_id else base


def test_a_manager_attaches_a_feed_that_is_read_at_once(feed_server, resource, manager, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    response = client_for(manager).post(
        _url(resource), {"url": feed_server.url("/lab.ics"), "name": "BookitLab"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "BookitLab" and body["error"] is None
    assert ExternalBusyInterval.objects.filter(resource=resource).exists()
    listed = client_for(manager).get(_url(resource)).json()
    assert [calendar["id"] for calendar in listed] == [body["id"]]
    assert listed[0]["last_success_at"] and listed[0]["busy_count"] > 0


def test_a_webcal_address_is_read_over_https(resource, manager, settings):
    response = client_for(manager).post(
        _url(resource), {"url": "webcal://127.0.0.1:9/lab.ics", "name": "Outlook"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["url"] == "https://127.0.0.1:9/lab.ics"
    assert response.json()["error"]["code"] in ("unreachable", "timeout")  # nothing listens there: said plainly


@pytest.mark.parametrize(
    ("situation", "body", "field", "code"),
    [
        ("no address", {"name": "X"}, "url", None),
        ("not an address", {"url": "calendar please", "name": "X"}, "url", "invalid"),
        ("a file address", {"url": "file:///etc/passwd", "name": "X"}, "url", "invalid"),
        ("no name", {"url": "https://example.org/a.ics", "name": " "}, "name", None),
    ],
)
def test_bad_input_is_a_400_naming_the_field(resource, manager, situation, body, field, code):
    response = client_for(manager).post(_url(resource), body, format="json")
    assert response.status_code == 400, situation
    assert field in response.json(), situation
    if code:
        assert response.json()["code"] == code
    assert not ExternalCalendar.objects.exists()


def test_a_private_address_is_refused(resource, manager, settings):
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    response = client_for(manager).post(
        _url(resource), {"url": "http://192.168.1.20/feed.ics", "name": "LibreBooking"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_public" and "url" in response.json()


def test_a_plain_http_address_is_refused_in_production(resource, manager, settings):
    """A feed's address often carries a secret token; over plain http it would travel unencrypted."""
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    response = client_for(manager).post(
        _url(resource), {"url": "http://93.184.216.34/feed.ics", "name": "LibreBooking"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_https" and "url" in response.json()
    assert not ExternalCalendar.objects.exists()


def test_a_webcal_address_is_accepted_in_production_and_kept_as_https(resource, manager, settings):
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = False
    response = client_for(manager).post(
        _url(resource), {"url": "webcal://93.184.216.34/feed.ics", "name": "Outlook"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert ExternalCalendar.objects.get().url == "https://93.184.216.34/feed.ics"


def test_the_same_feed_twice_is_refused(feed_server, resource, manager, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    payload = {"url": feed_server.url("/lab.ics"), "name": "BookitLab"}
    client_for(manager).post(_url(resource), payload, format="json")
    response = client_for(manager).post(_url(resource), payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "duplicate"


def test_removing_a_feed_stops_its_busy_time_counting(feed_server, resource, manager, base):
    feed_server.routes["/lab.ics"] = {"body": feed_text("bookitlab.ics", base)}
    created = client_for(manager).post(
        _url(resource), {"url": feed_server.url("/lab.ics"), "name": "BookitLab"}, format="json"
    )
    response = client_for(manager).delete(_url(resource, created.json()["id"]))
    assert response.status_code == 204
    assert not ExternalBusyInterval.objects.filter(resource=resource).exists()


@pytest.mark.parametrize("who", ["anonymous", "company", "other_manager"])
def test_only_those_who_keep_the_facility_see_or_change_its_feeds(resource, who):
    calendar = ExternalCalendar.objects.create(resource=resource, url="https://example.org/a.ics", name="X")
    user = {
        "anonymous": None,
        "company": UserFactory(company_name="Biotek AS"),
        "other_manager": FacilityManagerFactory().user,
    }[who]
    client = client_for(user)
    expected = {401, 403}
    assert client.get(_url(resource)).status_code in expected
    assert (
        client.post(_url(resource), {"url": "https://example.org/b.ics", "name": "Y"}, format="json").status_code
        in expected
    )
    assert client.delete(_url(resource, calendar.pk)).status_code in expected
    assert ExternalCalendar.objects.count() == 1


def test_a_feed_of_another_resource_is_not_found_through_this_one(resource, manager):
    neighbour = BookingPolicyFactory(resource__facility=resource.facility).resource
    other = ExternalCalendar.objects.create(resource=neighbour, url="https://e.org/a", name="X")
    assert client_for(manager).delete(_url(resource, other.pk)).status_code == 404
    assert client_for(manager).delete(f"/api/v1/resources/999999/external-calendars/{other.pk}/").status_code == 404
    assert ExternalCalendar.objects.filter(pk=other.pk).exists()
