"""Personal API tokens: obtained with e-mail and password, stored hashed, expiring, listed and revoked by their
owner in the portal and the API."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from tests.accounts.conftest import obtain_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_the_token_endpoint_keeps_its_contract_and_the_token_authenticates(client):
    UserFactory(email="api@example.org")
    response = obtain_token(client, "API@example.org")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert datetime.timedelta(days=89) < expires - timezone.now() <= datetime.timedelta(days=90)
    mine = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert mine.status_code == 200


def test_each_call_makes_a_new_token_and_both_work(client):
    UserFactory(email="api@example.org")
    first, second = (obtain_token(client, "api@example.org").json()["token"] for _ in range(2))
    assert first != second
    for key in (first, second):
        assert client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


@pytest.mark.parametrize(
    ("situation", "status", "code"),
    [
        ("verified", 200, None),
        ("wrong password", 400, "authentication_failed"),
        ("unknown address", 400, "authentication_failed"),
        ("unverified e-mail", 403, "email_unverified"),
        ("deactivated", 400, "authentication_failed"),
    ],
)
def test_who_gets_a_token(client, english, situation, status, code):
    user = UserFactory(email="api@example.org", email_verified=situation != "unverified e-mail")
    if situation == "deactivated":
        user.is_active = False
        user.save()
    email = "nobody@example.org" if situation == "unknown address" else user.email
    password = "wrong" if situation == "wrong password" else PASSWORD
    response = obtain_token(client, email, password)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    if situation == "unverified e-mail":
        assert "Verify your e-mail address" in response.json()["detail"]
    assert ApiToken.objects.exists() == (status == 200)


def test_missing_email_is_a_400_naming_the_field(client):
    response = client.post("/api/v1/auth/token/", {"password": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_the_database_holds_only_a_digest_of_the_token(client):
    user = UserFactory(email="api@example.org")
    key = obtain_token(client, "api@example.org").json()["token"]
    row = ApiToken.objects.get(user=user)
    assert row.digest == hashlib.sha512(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert key not in stored
    assert key[:15] in stored and key[15:] not in stored  # the prefix tells tokens apart, the rest is secret


def test_an_expired_token_is_refused_with_401(client, english):
    UserFactory(email="api@example.org")
    key = obtain_token(client, "api@example.org").json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_the_lifetime_follows_the_setting(client, settings):
    from knox.settings import knox_settings

    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(days=7)}
    try:
        UserFactory(email="api@example.org")
        obtain_token(client, "api@example.org")
        token = ApiToken.objects.get()
        assert datetime.timedelta(days=6) < token.expiry - timezone.now() <= datetime.timedelta(days=7)
    finally:
        knox_settings.reload()


def test_a_wrong_or_deactivated_token_gets_401(client, english):
    user = UserFactory(email="api@example.org")
    key = obtain_token(client, "api@example.org").json()["token"]
    wrong = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION="Token not-a-token")
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid token."
    user.is_active = False
    user.save()
    gone = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}")
    assert gone.status_code == 401 and gone.json()["detail"] == "User inactive or deleted."


def test_the_owner_lists_tokens_without_secrets_and_revokes_one_by_delete(client):
    UserFactory(email="api@example.org")
    keys = [obtain_token(client, "api@example.org", name=f"script {n}").json()["token"] for n in (1, 2)]
    header = {"HTTP_AUTHORIZATION": f"Token {keys[0]}"}
    listed = client.get("/api/v1/auth/tokens/", **header)
    assert listed.status_code == 200
    rows = listed.json()
    assert [row["name"] for row in rows] == ["script 2", "script 1"]
    assert set(rows[0]) == {"id", "name", "created", "expiry", "key_hint", "expired"}
    assert all(key not in str(rows) for key in keys)
    assert rows[1]["key_hint"] == keys[0][7:15]
    second = rows[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{second}/", **header).status_code == 204
    assert client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {keys[1]}").status_code == 401
    assert client.get("/api/v1/bookings/", **header).status_code == 200


@pytest.mark.parametrize("where", ["api", "portal"])
def test_revoking_someone_elses_token_is_not_found_and_changes_nothing(client, where):
    UserFactory(email="owner@example.org")
    UserFactory(email="other@example.org")
    obtain_token(client, "owner@example.org")
    theirs = ApiToken.objects.get()
    if where == "api":
        mine = obtain_token(client, "other@example.org").json()["token"]
        response = client.delete(f"/api/v1/auth/tokens/{theirs.pk}/", HTTP_AUTHORIZATION=f"Token {mine}")
        assert response.status_code == 404
    else:
        client.force_login(UserFactory())
        response = client.post(reverse("accounts:api_token_revoke", args=[theirs.pk]))
        assert response.status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_the_portal_makes_a_token_shows_it_once_and_revokes_it(client):
    user = UserFactory()
    client.force_login(user)
    page = client.post(reverse("accounts:api_tokens"), {"name": "Analyse-skript"})
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    assert client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    again = client.get(reverse("accounts:api_tokens")).content.decode()
    assert key not in again and "Analyse-skript" in again and key[7:15] in again
    token = ApiToken.objects.get(user=user)
    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_an_unverified_person_gets_no_token_in_the_portal_either(client):
    client.force_login(UserFactory(email_verified=False))
    response = client.post(reverse("accounts:api_tokens"), {"name": "x"})
    assert response.status_code == 403
    assert "e-postadressen" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_organisation_key_is_not_a_person_and_lists_no_tokens(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_client", "--name", "OCC", "--kind", "cluster", "--scopes", "intake:read", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert client.get("/api/v1/intake/requests/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/v1/auth/tokens/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403


def test_platform_admins_see_tokens_in_the_admin_without_their_secret(client):
    UserFactory(email="api@example.org")
    key = obtain_token(client, "api@example.org").json()["token"]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/accounts/apitoken/")
    assert page.status_code == 200
    assert key[7:15] in page.content.decode() and key not in page.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
