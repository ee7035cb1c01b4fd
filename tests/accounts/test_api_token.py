import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_token_for_email_and_password_authenticates_later_requests(client):
    UserFactory(email="api@example.org")
    response = client.post(
        "/api/v1/auth/token/", {"email": "api@example.org", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    again = client.post(
        "/api/v1/auth/token/", {"email": "api@example.org", "password": PASSWORD}, content_type="application/json"
    )
    assert again.json()["token"] == token


def test_wrong_password_is_a_400_naming_the_field(client):
    UserFactory(email="api@example.org")
    response = client.post(
        "/api/v1/auth/token/", {"email": "api@example.org", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_missing_email_is_a_400_naming_the_field(client):
    response = client.post("/api/v1/auth/token/", {"password": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_the_token_authenticates_and_a_wrong_or_deactivated_one_gets_401(client):
    user = UserFactory(email="api@example.org")
    token = client.post(
        "/api/v1/auth/token/", {"email": "api@example.org", "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    mine = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {token}")
    assert mine.status_code == 200
    wrong = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION="Token not-a-token", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid token."
    user.is_active = False
    user.save()
    gone = client.get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert gone.status_code == 401 and gone.json()["detail"] == "User inactive or deleted."
