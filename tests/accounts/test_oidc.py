"""OpenID Connect log-in against a small provider served on 127.0.0.1 (real HTTP, real signatures)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "labtorget-test"


class FakeProvider:
    """Issues ID tokens signed with its own RSA key and publishes the key as JWKS."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.next_claims: dict = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                self._json({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})

            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                form = parse_qs(self.rfile.read(length).decode())
                assert form["code_verifier"][0]
                now = int(time.time())
                claims = {
                    "iss": "http://127.0.0.1",
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 60,
                    **provider.next_claims,
                }
                token = jwt.encode(claims, provider.key, algorithm="RS256", headers={"kid": "k1"})
                self._json({"id_token": token, "access_token": "at", "token_type": "Bearer"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.OIDC_PROVIDERS = {
        "feide": {
            "label": "Feide",
            "client_id": CLIENT_ID,
            "client_secret": "s",
            "authorization_endpoint": f"{fake.base}/authorize",
            "token_endpoint": f"{fake.base}/token",
            "userinfo_endpoint": "",
            "jwks_endpoint": f"{fake.base}/jwks",
            "scopes": "openid email profile",
        }
    }
    yield fake
    fake.server.shutdown()


def start(client):
    response = client.get(reverse("accounts:oidc_start", args=["feide"]))
    assert response.status_code == 302
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    return query["state"][0], query["nonce"][0]


def test_log_in_page_offers_configured_provider(client, provider):
    assert "Feide" in client.get(reverse("accounts:login")).content.decode()


def test_new_feide_user_gets_an_academic_account_and_is_asked_for_affiliation(client, provider):
    state, nonce = start(client)
    provider.next_claims = {
        "nonce": nonce,
        "email": "Forsker@UiO.example.org",
        "given_name": "Fri",
        "family_name": "Forsker",
    }
    response = client.get(reverse("accounts:oidc_callback", args=["feide"]), {"code": "c", "state": state})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
    user = User.objects.get(email="forsker@uio.example.org")
    assert user.kind == "academic" and not user.has_usable_password()


def test_existing_user_is_logged_in_by_email(client, provider):
    existing = UserFactory(email="kari@example.org")
    state, nonce = start(client)
    provider.next_claims = {"nonce": nonce, "email": "kari@example.org"}
    response = client.get(reverse("accounts:oidc_callback", args=["feide"]), {"code": "c", "state": state})
    assert response.wsgi_request.user == existing
    assert User.objects.count() == 1


def test_wrong_state_is_refused(client, provider):
    _state, nonce = start(client)
    provider.next_claims = {"nonce": nonce, "email": "x@example.org"}
    client.get(reverse("accounts:oidc_callback", args=["feide"]), {"code": "c", "state": "forged"})
    assert not User.objects.exists()


def test_token_with_a_replayed_nonce_is_refused(client, provider):
    state, _nonce = start(client)
    provider.next_claims = {"nonce": "someone-elses", "email": "x@example.org"}
    response = client.get(reverse("accounts:oidc_callback", args=["feide"]), {"code": "c", "state": state})
    assert response["Location"] == reverse("accounts:login")
    assert not User.objects.exists()


def test_unconfigured_provider_goes_back_to_login(client, settings):
    settings.OIDC_PROVIDERS = {}
    response = client.get(reverse("accounts:oidc_start", args=["idporten"]))
    assert response["Location"] == reverse("accounts:login")
