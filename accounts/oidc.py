"""OpenID Connect log-in (authorization code flow with PKCE) for Feide and ID-porten.

Providers are configured by environment variables (see README.md) and appear on the log-in page only when
configured. The ID token is verified against the provider's JWKS (signature, issuer-independent audience, expiry,
nonce); the e-mail address then links the log-in to an existing account or creates one.
"""

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import UserKind
from accounts.models import User
from core.errors import DomainError

SESSION_KEY = "oidc_login"
TIMEOUT_SECONDS = 10


def provider_config(provider: str) -> dict:
    try:
        return settings.OIDC_PROVIDERS[provider]
    except KeyError:
        raise DomainError(_("This log-in provider is not configured."), field="provider") from None


def authorization_url(*, session, provider: str, redirect_uri: str, next_url: str = "") -> str:
    """Remember state, nonce and PKCE verifier in the session and return the provider's log-in address."""
    config = provider_config(provider)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    session[SESSION_KEY] = {
        "provider": provider,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": config["client_id"],
            "redirect_uri": redirect_uri,
            "scope": config["scopes"],
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{config['authorization_endpoint']}?{query}"


def complete_login(*, session, provider: str, code: str, state: str) -> tuple[User, str]:
    """Exchange the code, verify the ID token and return (user, next_url). Raises DomainError on any failure."""
    pending = session.pop(SESSION_KEY, None)
    if not pending or pending["provider"] != provider or not secrets.compare_digest(pending["state"], state or ""):
        raise DomainError(_("The log-in attempt expired or was tampered with. Please try again."), field="state")
    config = provider_config(provider)
    try:
        response = requests.post(
            config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": pending["redirect_uri"],
                "client_id": config["client_id"],
                "client_secret": config["client_secret"],
                "code_verifier": pending["verifier"],
            },
            timeout=TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        tokens = response.json()
        signing_key = jwt.PyJWKClient(config["jwks_endpoint"]).get_signing_key_from_jwt(tokens["id_token"])
        claims = jwt.decode(
            tokens["id_token"],
            signing_key.key,
            algorithms=["RS256", "ES256"],
            audience=config["client_id"],
        )
    except (requests.RequestException, KeyError, ValueError, jwt.PyJWTError) as error:
        raise DomainError(_("Log-in with %(provider)s failed.") % {"provider": config["label"]}) from error
    if not secrets.compare_digest(claims.get("nonce", ""), pending["nonce"]):
        raise DomainError(_("The log-in attempt expired or was tampered with. Please try again."), field="nonce")
    if not claims.get("email") and config.get("userinfo_endpoint"):
        try:
            info = requests.get(
                config["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {tokens.get('access_token', '')}"},
                timeout=TIMEOUT_SECONDS,
            )
            info.raise_for_status()
            claims = {**info.json(), **claims}
        except (requests.RequestException, ValueError):
            pass
    email = (claims.get("email") or "").lower()
    if not email:
        raise DomainError(
            _("%(provider)s did not tell us your e-mail address. Sign up with e-mail and password instead.")
            % {"provider": config["label"]},
            field="email",
        )
    return user_for_claims(provider=provider, email=email, claims=claims), pending.get("next") or ""


@transaction.atomic
def user_for_claims(*, provider: str, email: str, claims: dict) -> User:
    """The account with this e-mail address, or a new one (academic for Feide) with an unusable password."""
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    user = User(
        email=email,
        first_name=claims.get("given_name", "")[:150],
        last_name=claims.get("family_name", "")[:150],
        kind=UserKind.ACADEMIC if provider == "feide" else UserKind.COMPANY,
    )
    user.set_unusable_password()
    user.save()
    return user
