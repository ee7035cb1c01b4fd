"""Personal API tokens: `Authorization: Token <key>`, django-rest-knox's scheme with one query per request.

knox stores only a digest of each key. Its own lookup reads the candidates by key prefix, then all the user's
tokens (to delete expired ones) and compares digests; the digest here has no salt, so the token is found by its
digest directly, together with its user and whether the user's e-mail address is verified (which the booking
policy asks), in one statement. An expired token is refused (401) and stays listed for its owner until revoked.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions

from accounts import selectors


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        key = token.decode("utf-8", errors="replace")
        found = selectors.api_token_with_user(hash_token(key))
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if found.expiry is not None and found.expiry <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired. Get a new one."))
        user = found.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user.primary_email_verified = found.user_email_verified
        setattr(user, selectors.VERIFIED_INSTITUTION_ATTR, found.user_verified_institution or 0)
        return user, found


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema how personal tokens are sent."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API token from POST /api/v1/auth/token/: `Token <token>`",
        }
