"""Rate limits on log-in, sign-up, password reset, the token endpoint and the anonymous intake form: the n+1-th
attempt in the window is refused with 429 (Retry-After on the API and the intake form, a clear page in the
portal). They are counted in Django's cache, shared across processes when CACHE_URL is set."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import obtain_token
from tests.factories import UserFactory
from tests.intake.conftest import VALID_REQUEST

pytestmark = pytest.mark.django_db


def portal_attempts(client, action: str, count: int) -> list:
    if action == "log-in":
        UserFactory(email="kari@example.org")
        return [client.post(reverse("account_login"), {"login": "kari@example.org", "password": "wrong"})
                for _ in range(count)]  # fmt: skip
    if action == "sign-up":
        return [client.post(reverse("account_signup"), {"email": f"ny{n}@example.org"}) for n in range(count)]
    return [client.post(reverse("account_reset_password"), {"email": "kari@example.org"}) for _ in range(count)]


@pytest.mark.parametrize(
    ("action", "setting", "limit"),
    [("log-in", "login_failed", 3), ("log-in", "login", 3), ("sign-up", "signup", 2),
     ("password reset", "reset_password", 2)],
)  # fmt: skip
def test_the_portal_refuses_the_attempt_after_the_limit_with_a_clear_page(client, settings, action, setting, limit):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, setting: f"{limit}/m/ip"}
    client.cookies["django_language"] = "en"
    responses = portal_attempts(client, action, limit + 1)
    assert all(response.status_code != 429 for response in responses[:limit])
    refused = responses[limit]
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()


def test_log_in_attempts_are_also_counted_per_account_from_any_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "100/m/ip,2/5m/key"}
    UserFactory(email="kari@example.org")
    for address in ("10.0.0.1", "10.0.0.2"):
        client.post(reverse("account_login"), {"login": "kari@example.org", "password": "x"}, REMOTE_ADDR=address)
    credentials = {"login": "kari@example.org", "password": "x"}
    third = client.post(reverse("account_login"), credentials, REMOTE_ADDR="10.0.0.9")
    assert third.status_code == 429


@pytest.mark.parametrize(("throttle", "setting"), [("per address", "API_TOKEN_RATE_IP"),
                                                   ("per account", "API_TOKEN_RATE_ACCOUNT")])  # fmt: skip
def test_the_token_endpoint_answers_429_with_retry_after(client, settings, throttle, setting):
    setattr(settings, setting, "3/min")
    UserFactory(email="api@example.org")
    for n in range(3):
        address = "10.0.0.1" if throttle == "per address" else f"10.0.0.{n + 1}"
        email = f"other{n}@example.org" if throttle == "per address" else "api@example.org"
        assert obtain_token(client, email, "wrong", meta={"REMOTE_ADDR": address}).status_code == 400
    address = "10.0.0.1" if throttle == "per address" else "10.0.0.9"
    email = "new@example.org" if throttle == "per address" else "API@example.org"
    refused = client.post(
        "/api/v1/auth/token/", {"email": email, "password": "x"}, content_type="application/json", REMOTE_ADDR=address
    )
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Someone else, from somewhere else, is not held up.
    other = client.post("/api/v1/auth/token/", {"email": "else@example.org", "password": "x"},
                        content_type="application/json", REMOTE_ADDR="10.1.1.1")  # fmt: skip
    assert other.status_code == 400


def test_a_forged_forwarded_for_header_does_not_give_a_fresh_budget(client, settings):
    settings.API_TOKEN_RATE_IP = "2/min"
    statuses = [
        client.post("/api/v1/auth/token/", {"email": f"u{n}@example.org", "password": "x"},
                    content_type="application/json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(3)
    ]  # fmt: skip
    assert statuses == [400, 400, 429]


def test_the_anonymous_intake_form_is_limited_per_address_with_retry_after(client, settings):
    settings.INTAKE_ANONYMOUS_RATE = "2/hour"
    client.cookies["django_language"] = "en"
    statuses = [client.post(reverse("intake:new"), VALID_REQUEST).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    refused = client.post(reverse("intake:new"), VALID_REQUEST)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many attempts" in refused.content.decode()
    # A form with mistakes is not counted, and another address has its own budget.
    other = client.post(reverse("intake:new"), VALID_REQUEST, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302
