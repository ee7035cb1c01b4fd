"""Security headers on every answer: Permissions-Policy always; Cache-Control: no-store on every answer that may
hold personal data (a signed-in person's, a token's, a write's, a secret link's), never on what is the same for
everyone (the register and search to anonymous readers, the schema, static files)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import api_token_create
from booking.models import CalendarFeedToken
from core.middleware import SecurityHeadersMiddleware
from tests.factories import FacilityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return UserFactory()


def _as(who: str, person) -> Client:
    """A client as `anonymous`, a `session` of the person, or with the person's `token`."""
    if who == "token":
        client = APIClient()
        _token, key = api_token_create(user=person, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    client = APIClient()
    if who == "session":
        client.force_login(person)
    return client


# (who, method, address, personal: whether the answer is no-store)
SITUATIONS = [
    ("anonymous", "get", "/", False),
    ("anonymous", "get", "/search/?q=mikroskop", False),
    ("anonymous", "get", "/api/v1/facilities/", False),
    ("anonymous", "get", "/api/v1/availability/", False),
    ("anonymous", "get", "/api/v1/schema/", False),
    ("anonymous", "get", "/api/v1/facilities/987654/", False),  # a 404 problem
    ("anonymous", "get", "/api/v1/bookings/", False),  # a 401 problem: nothing personal in it
    ("anonymous", "post", "/api/v1/auth/token/", True),  # a write: the answer is a new token (here a 400)
    ("session", "get", "/", True),
    ("session", "get", "/search/?q=mikroskop", True),  # a signed-in page: the header names the person
    ("session", "get", "/api/v1/bookings/", True),
    ("session", "get", "/api/v1/schema/", False),  # the same for everyone
    ("session", "get", "/api/v1/docs/", False),
    ("token", "get", "/api/v1/bookings/", True),
    ("token", "get", "/api/v1/auth/tokens/", True),
    ("token", "get", "/api/v1/facilities/", True),  # with credentials, whatever the address
    ("token", "get", "/api/v1/bookings/987654/", True),  # errors too
    ("token", "get", "/api/v1/schema/", False),
]


@pytest.mark.parametrize(("who", "method", "address", "personal"), SITUATIONS)
def test_every_answer_carries_the_headers(person, who, method, address, personal):
    FacilityFactory()
    client = _as(who, person)
    getattr(client, method)(address)  # a first visit may set the CSRF cookie (a no-store answer of its own)
    response = getattr(client, method)(address)
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
    assert ("no-store" in response.get("Cache-Control", "")) is personal, (response.status_code, response.headers)


@pytest.mark.parametrize(
    ("cookie", "personal"), [("sessionid", True), ("csrftoken", False), ("django_language", False)]
)
def test_an_anonymous_answer_that_begins_a_session_is_not_stored(rf, cookie, personal):
    def view(request):
        response = HttpResponse("ok")
        response.set_cookie(cookie, "x")
        return response

    request = rf.get("/")
    request.user = AnonymousUser()
    response = SecurityHeadersMiddleware(view)(request)
    assert ("no-store" in response.get("Cache-Control", "")) is personal


def test_a_private_calendar_feed_reached_by_its_secret_address_is_not_stored(client, person):
    feed = CalendarFeedToken.objects.create(user=person)
    response = client.get(f"/calendar/private/{feed.token}.ics")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Permissions-Policy" in response


def test_the_policy_can_be_changed_in_the_settings(client, settings):
    settings.PERMISSIONS_POLICY = {"camera": (), "fullscreen": ("self",)}
    assert client.get("/api/v1/facilities/")["Permissions-Policy"] == "camera=(), fullscreen=(self)"
