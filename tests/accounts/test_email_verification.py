"""A new account verifies its e-mail address before it may book, send a request as itself or get a token; accounts
made with createsuperuser, the demo accounts and accounts from before verification count as verified."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import selectors
from accounts.models import User
from booking.models import Booking
from intake.models import IntakeRequest
from tests.accounts.conftest import obtain_token
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.factories import UserFactory
from tests.intake.conftest import VALID_REQUEST

pytestmark = pytest.mark.django_db


def booking_body(resource):
    return {
        "resource": resource.pk, "start": days_ahead(3, 10).isoformat(), "end": days_ahead(3, 12).isoformat(),
        "activity": "economic", "access_model": "rental", "purpose": "Måling",
    }  # fmt: skip


ACTIONS = ["book through the API", "book in the portal", "request through the API", "request in the portal",
           "get a token"]  # fmt: skip


def attempt(action: str, user) -> tuple[int, str]:
    """Try `action` as `user`; return the status code and the text the person sees."""
    api = APIClient()
    api.force_authenticate(user)
    api.cookies["django_language"] = "en"
    if action == "book through the API":
        response = api.post("/api/v1/bookings/", booking_body(BookingPolicyFactory().resource), format="json")
        return response.status_code, response.content.decode()
    if action == "request through the API":
        response = api.post("/api/v1/intake/requests/", VALID_REQUEST, format="json")
        return response.status_code, response.content.decode()
    if action == "get a token":
        response = obtain_token(api, user.email)
        return response.status_code, response.content.decode()
    api.force_login(user)
    if action == "book in the portal":
        resource = BookingPolicyFactory().resource
        body = {key: value for key, value in booking_body(resource).items() if key != "resource"}
        local = "%Y-%m-%dT%H:%M"
        body.update(start=days_ahead(3, 10).strftime(local), end=days_ahead(3, 12).strftime(local))
        response = api.post(reverse("booking:book", args=[resource.pk]), body)
        return (201 if Booking.objects.exists() else response.status_code), response.content.decode()
    response = api.post(reverse("intake:new"), VALID_REQUEST)
    return (201 if IntakeRequest.objects.exists() else response.status_code), response.content.decode()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("verified", [True, False], ids=["verified", "unverified"])
def test_an_unverified_address_may_do_none_of_it(action, verified):
    user = UserFactory(email_verified=verified, company_name="Biotek AS", language="en")
    status, text = attempt(action, user)
    if verified:
        assert status in (200, 201), text
        return
    assert status in (403, 200), text  # the portal's request form shows the refusal on the form
    assert "Verify your e-mail address first" in text
    if status == 403 and "api" in action.lower() or action == "get a token":
        assert '"code":"email_unverified"' in text.replace(" ", "")
    assert not Booking.objects.exists() and not IntakeRequest.objects.exists()


def test_a_secondary_verified_address_is_not_enough():
    user = UserFactory(email_verified=False)
    EmailAddress.objects.create(user=user, email="other@example.org", verified=True, primary=False)
    assert not selectors.email_verified(user)


def test_the_portal_shows_an_unverified_person_a_banner_that_sends_the_link_again(client):
    user = UserFactory(email_verified=False)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("catalogue:home")).content.decode()
    assert "Your e-mail address is not verified yet." in page and "Resend verification e-mail" in page
    client.post(reverse("account_email"), {"email": user.email, "action_send": ""})
    assert mail.outbox and mail.outbox[-1].to == [user.email]
    EmailAddress.objects.filter(user=user).update(verified=True)
    assert "not verified yet" not in client.get(reverse("catalogue:home")).content.decode()


def test_createsuperuser_makes_a_verified_admin():
    call_command(
        "createsuperuser", "--no-input", "--email", "Root@Example.org", stdout=StringIO(), stderr=StringIO()
    )
    user = User.objects.get(email="root@example.org")
    assert user.is_superuser and selectors.email_verified(user)


def test_demo_accounts_are_verified_after_every_load():
    from accounts.demo import DEMO_USERS, demo_register_load

    demo_register_load(with_demo_users=True)
    EmailAddress.objects.filter(email=DEMO_USERS[0].email).update(verified=False)
    demo_register_load(with_demo_users=True)
    users = User.objects.filter(email__in=[spec.email for spec in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    assert all(selectors.email_verified(user) for user in users)
    assert EmailAddress.objects.filter(user__in=users).count() == len(DEMO_USERS)


def test_the_migration_keeps_old_accounts_verified_and_old_tokens_working(client):
    """Users and DRF tokens from before allauth and knox: the data migration verifies the addresses and turns the
    plain keys into digests that the same key still matches."""
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("accounts.migrations.0004_existing_accounts_verified_and_hashed_tokens")
    old = User.objects.create_user("old@example.org", "an-old-password-1")
    key = "a1587c822bcad225a736774cfbd07b034238970b"

    class SchemaEditor:  # what the two steps use of Django's (SQLite allows no real one inside a test's transaction)
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    editor = SchemaEditor()
    editor.execute(
        "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone NOT NULL, "
        "user_id bigint NOT NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, "2025-01-02 03:04:05+00:00", old.pk],
        )
    migration.verify_existing_addresses(apps, editor)
    migration.move_plain_tokens(apps, editor)
    assert selectors.email_verified(old)
    assert "authtoken_token" not in connection.introspection.table_names()
    response = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
