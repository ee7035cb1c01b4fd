"""Organisation keys for clusters and TTOs: `Authorization: Token lt_...`.

Keys start with `lt_`; any other token is left to DRF's TokenAuthentication (personal user tokens), so both
kinds travel in the same header.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from intake import selectors
from intake.models import ApiClient
from intake.services import KEY_PREFIX


class ApiClientAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != self.keyword.lower().encode():
            return None
        key = header[1].decode(errors="ignore")
        if not key.startswith(KEY_PREFIX):
            return None
        client = selectors.api_client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked organisation key."))
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        # No person is signed in: request.user stays anonymous (so other apps' views never mistake a client for a
        # user), request.auth is the ApiClient, which intake's policies treat as the actor.
        return AnonymousUser(), client

    def authenticate_header(self, request):
        return self.keyword


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema how organisation keys are sent."""

    target_class = "intake.api.authentication.ApiClientAuthentication"
    name = "organisationKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Organisation key of a cluster or TTO: `Token lt_...`",
        }
