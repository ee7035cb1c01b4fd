"""MFA (TOTP): offered to everybody, required for platform admins and institution admins while
ACCOUNTS_MFA_REQUIRED_FOR_ADMINS is on, in the portal, /admin/ and the token endpoint."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from catalogue.choices import InstitutionRoleKind
from tests.accounts.conftest import obtain_token
from tests.factories import PASSWORD, FacilityManagerFactory, InstitutionRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def totp(secret: str) -> str:
    """The current code of an authenticator app (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def activate_totp(client) -> str:
    """Set up an authenticator app through the portal's pages, as a person would; returns its secret."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # allauth asks for the password again before a security change
        assert page["Location"].startswith(reverse("account_reauthenticate"))
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302, response.context["form"].errors
    cache.clear()  # a code works once: the next step waits for the next one
    return secret


def person(role: str):
    if role == "platform admin":
        return UserFactory(is_staff=True)
    if role == "institution admin":
        return InstitutionRoleFactory(role=InstitutionRoleKind.ADMIN).user
    if role == "screener":
        return InstitutionRoleFactory(role=InstitutionRoleKind.SCREENER).user
    if role == "facility manager":
        return FacilityManagerFactory().user
    return UserFactory()


ROLES = ["platform admin", "institution admin", "screener", "facility manager", "company user"]
ADMINS = {"platform admin", "institution admin"}


@pytest.mark.parametrize("required", [True, False], ids=["required", "not required"])
@pytest.mark.parametrize("role", ROLES)
def test_who_is_sent_to_set_up_mfa_before_anything_else(client, settings, role, required):
    settings.ACCOUNTS_MFA_REQUIRED_FOR_ADMINS = required
    user = person(role)
    assert log_in(client, user.email).status_code == 302
    response = client.get(reverse("catalogue:home"))
    if required and role in ADMINS:
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
        assert client.get(reverse("accounts:api_tokens"))["Location"] == reverse("mfa_activate_totp")
        activate_totp(client)
        assert client.get(reverse("catalogue:home")).status_code == 200
    else:
        assert response.status_code == 200


def test_the_setting_is_on_in_production_and_off_for_the_demo():
    import os
    import subprocess
    import sys

    def value(env):
        code = (
            "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; from django.conf import settings; "
            "print(settings.ACCOUNTS_MFA_REQUIRED_FOR_ADMINS)"
        )
        clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ACCOUNTS_MFA_REQUIRED_FOR_ADMINS")}
        return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                              check=True).stdout.strip()  # fmt: skip

    assert value({}) == "False"
    assert value({"SECRET_KEY": "x" * 50}) == "True"
    assert value({"SECRET_KEY": "x" * 50, "ACCOUNTS_MFA_REQUIRED_FOR_ADMINS": "0"}) == "False"


def test_a_person_with_mfa_logs_in_with_password_and_code(client, settings):
    user = UserFactory()
    log_in(client, user.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    response = log_in(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "code" in wrong.context["form"].errors
    assert client.post(reverse("mfa_authenticate"), {"code": totp(secret)}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_admin_site_logs_in_through_allauth(client, settings):
    settings.ACCOUNTS_MFA_REQUIRED_FOR_ADMINS = True
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    log_in(client, admin.email)
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")
    activate_totp(client)
    assert client.get("/admin/").status_code == 200


def test_an_admin_keeps_the_authenticator_while_it_is_required(client, settings):
    settings.ACCOUNTS_MFA_REQUIRED_FOR_ADMINS = True
    admin = UserFactory(is_staff=True)
    log_in(client, admin.email)
    activate_totp(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=admin, type="totp").exists()


@pytest.mark.parametrize(
    ("situation", "status", "code"),
    [
        ("MFA, no code", 400, "mfa_required"),
        ("MFA, wrong code", 400, "mfa_code_wrong"),
        ("MFA, right code", 200, None),
        ("admin without MFA, required", 403, "mfa_setup_required"),
        ("admin without MFA, not required", 200, None),
    ],
)
def test_the_token_endpoint_asks_for_the_code(client, settings, situation, status, code):
    settings.ACCOUNTS_MFA_REQUIRED_FOR_ADMINS = situation.endswith(", required")
    user = UserFactory(is_staff=situation.startswith("admin"))
    fields = {}
    if situation.startswith("MFA"):
        log_in(client, user.email)
        secret = activate_totp(client)
        client.post(reverse("account_logout"))
        fields = {"no code": {}, "wrong code": {"mfa_code": "000000"}, "right code": {"mfa_code": totp(secret)}}[
            situation.partition(", ")[2]
        ]
    response = obtain_token(client, user.email, **fields)
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
