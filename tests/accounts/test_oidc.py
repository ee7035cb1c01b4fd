"""OpenID Connect log-in (Feide, ID-porten) through allauth's openid_connect provider, against a small provider
served on 127.0.0.1 with its own key (real HTTP; allauth itself is not mocked).

Only claims with email_verified true match an existing account, and never one with a password; the ID token's
issuer and audience are checked.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from django.urls import reverse

from accounts import selectors
from accounts.models import User
from accounts.signals import feide_login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "labtorget-test"


class FakeProvider:
    """Discovery document, token endpoint (ID tokens signed with its own RSA key), user info and JWKS."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict = {}
        self.token_overrides: dict = {}
        self.token_requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                if self.path.startswith("/.well-known/openid-configuration"):
                    self.answer({
                        "issuer": provider.base,
                        "authorization_endpoint": f"{provider.base}/authorize",
                        "token_endpoint": f"{provider.base}/token",
                        "userinfo_endpoint": f"{provider.base}/userinfo",
                        "jwks_uri": f"{provider.base}/jwks",
                        "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    })  # fmt: skip
                elif self.path.startswith("/userinfo"):
                    self.answer(provider.claims)
                else:
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self.answer({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})

            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                provider.token_requests.append(parse_qs(self.rfile.read(length).decode()))
                now = int(time.time())
                claims = {"iss": provider.base, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **provider.claims,
                          **provider.token_overrides}  # fmt: skip
                token = jwt.encode(claims, provider.key, algorithm="RS256", headers={"kid": "k1"})
                self.answer({"id_token": token, "access_token": "at", "token_type": "Bearer", "expires_in": 60})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "feide",
                    "name": "Feide",
                    "client_id": CLIENT_ID,
                    "secret": "s",
                    "settings": {"server_url": fake.base, "oauth_pkce_enabled": True},
                }
            ],
        }
    }
    yield fake
    fake.server.shutdown()


def feide_login_as(client, provider, **claims) -> object:
    """Start the log-in at the portal, let the provider answer with `claims`, return the callback's response."""
    provider.claims = {"sub": "feide-123", **claims}
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "feide"}))
    assert start.status_code == 302, start.content
    query = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(f"{provider.base}/authorize")
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    callback = reverse("openid_connect_callback", kwargs={"provider_id": "feide"})
    return client.get(callback, {"code": "c", "state": query["state"][0]})


def signed_in(client):
    return client.session.get("_auth_user_id")


def test_the_log_in_page_offers_a_configured_provider(client, provider):
    page = client.get(reverse("account_login")).content.decode()
    assert "Feide" in page and reverse("openid_connect_login", kwargs={"provider_id": "feide"}) in page


def test_without_configuration_no_provider_is_offered(client):
    assert "Feide" not in client.get(reverse("account_login")).content.decode()


def test_a_new_feide_user_gets_a_verified_academic_account_and_is_asked_for_the_affiliation(client, provider):
    announced = []

    def receive(sender, user, organisation, claims, **kwargs):
        announced.append((user.email, organisation))

    feide_login.connect(receive)
    try:
        response = feide_login_as(
            client, provider, email="Forsker@UiO.example.org", email_verified=True, given_name="Fri",
            family_name="Forsker", eduPersonPrincipalName="fri@uio.no",
        )  # fmt: skip
    finally:
        feide_login.disconnect(receive)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
    user = User.objects.get(email="forsker@uio.example.org")
    assert user.kind == "academic" and not user.has_usable_password() and user.first_name == "Fri"
    assert selectors.email_verified(user) and signed_in(client) == str(user.pk)
    assert selectors.feide_organisation(user) == "uio.no"
    assert announced == [("forsker@uio.example.org", "uio.no")]
    assert provider.token_requests[0]["code_verifier"]  # PKCE


@pytest.mark.parametrize(
    "wrong", [{"aud": "someone-else"}, {"iss": "https://evil.example.org"}, {"exp": 1}], ids=["aud", "iss", "exp"]
)
def test_an_id_token_for_another_audience_or_from_another_issuer_is_refused(client, provider, english, wrong):
    provider.token_overrides = wrong
    response = feide_login_as(client, provider, email="forsker@uio.example.org", email_verified=True)
    assert response.status_code == 401
    assert "The log-in with the other service failed or was not accepted here." in response.content.decode()
    assert not User.objects.exists() and not signed_in(client)


@pytest.mark.parametrize(
    ("claim_verified", "account", "linked"),
    [
        (False, "with password", False),
        (False, "without password", False),
        (True, "with password", False),
        (True, "without password", True),
        (True, "without password, address unverified", False),
    ],
)
def test_which_existing_accounts_a_log_in_may_match(client, provider, claim_verified, account, linked):
    user = UserFactory(email="kari@uio.example.org", email_verified="unverified" not in account)
    if "without password" in account:
        user.set_unusable_password()
        user.save()
    mail.outbox.clear()
    feide_login_as(client, provider, email="Kari@UiO.example.org", email_verified=claim_verified)
    assert User.objects.count() == 1
    assert SocialAccount.objects.filter(user=user).exists() == linked
    assert signed_in(client) == (str(user.pk) if linked else None)
    if not linked and claim_verified and account == "with password":
        # The owner is told by e-mail that the account exists (log in, then connect Feide); the page says nothing.
        assert mail.outbox and mail.outbox[-1].to == ["kari@uio.example.org"]


def test_the_owner_of_a_password_account_connects_feide_after_logging_in(client, provider):
    user = UserFactory(email="kari@uio.example.org")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    provider.claims = {"sub": "feide-kari", "email": "kari@uio.example.org", "email_verified": True}
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "feide"}), {"process": "connect"})
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    client.get(reverse("openid_connect_callback", kwargs={"provider_id": "feide"}), {"code": "c", "state": state})
    assert SocialAccount.objects.get(user=user).uid == "feide-kari"
    client.post(reverse("account_logout"))
    feide_login_as(client, provider, sub="feide-kari", email="kari@uio.example.org", email_verified=True)
    assert signed_in(client) == str(user.pk)


def test_a_new_user_whose_address_feide_does_not_vouch_for_verifies_it_first(client, provider):
    feide_login_as(client, provider, email="ny@uio.example.org", email_verified=False)
    user = User.objects.get(email="ny@uio.example.org")
    assert not EmailAddress.objects.get(user=user).verified and not signed_in(client)
    assert mail.outbox[-1].to == ["ny@uio.example.org"]


def test_the_providers_are_configured_from_the_environment():
    import os
    import subprocess
    import sys

    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; from django.conf import settings; "
        "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("OIDC_")}
    env.update(
        OIDC_FEIDE_CLIENT_ID="feide-client", OIDC_FEIDE_CLIENT_SECRET="feide-secret",
        OIDC_FEIDE_TOKEN_ENDPOINT="https://auth.example.org/token", OIDC_IDPORTEN_CLIENT_ID="idporten-client",
        OIDC_IDPORTEN_SERVER_URL="https://test.idporten.example.org", OIDC_IDPORTEN_SCOPES="openid profile",
    )  # fmt: skip
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    feide, idporten = json.loads(output)
    assert (feide["provider_id"], feide["client_id"], feide["secret"]) == ("feide", "feide-client", "feide-secret")
    assert feide["settings"]["server_url"] == "https://auth.dataporten.no"
    assert feide["settings"]["openid_configuration_overrides"] == {"token_endpoint": "https://auth.example.org/token"}
    assert feide["settings"]["oauth_pkce_enabled"] is True
    assert idporten["settings"]["server_url"] == "https://test.idporten.example.org"
    assert idporten["settings"]["scope"] == ["openid", "profile"]


@pytest.mark.parametrize(
    "principal, registered, verified",
    [
        ("fri@uio.no", "uio.no", True),  # Feide vouches for the institution's domain
        ("fri@ntnu.no", "uio.no", False),  # another home organisation
        ("fri@uio.no", None, False),  # the institution has registered no domain
    ],
)
def test_a_feide_log_in_verifies_the_affiliation_of_its_home_organisation(
    client, provider, principal, registered, verified
):
    from accounts.models import InstitutionDomain
    from tests.factories import InstitutionFactory

    uio = InstitutionFactory(short_name="UiO")
    if registered:
        InstitutionDomain.objects.create(institution=uio, domain=registered)
    feide_login_as(client, provider, email="fri@uio.example.org", email_verified=True, eduPersonPrincipalName=principal)
    user = User.objects.get(email="fri@uio.example.org")
    assert (selectors.verified_institution(user) == uio) is verified
    if verified:
        assert user.affiliation.method == "feide" and user.institution == uio
