"""Rate limits of the token endpoint, per client address and per account e-mail address (DRF throttles, kept in
Django's cache: shared across processes when CACHE_URL is set). A refused attempt is 429 with Retry-After."""

import hashlib

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class SettingRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is read from a setting on each request, so that a changed setting applies at once."""

    rate_setting = ""

    def get_rate(self):
        return getattr(settings, self.rate_setting)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class TokenObtainIpThrottle(SettingRateThrottle):
    """API_TOKEN_RATE_IP attempts per client address."""

    scope = "auth_token_ip"
    rate_setting = "API_TOKEN_RATE_IP"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenObtainAccountThrottle(SettingRateThrottle):
    """API_TOKEN_RATE_ACCOUNT attempts per e-mail address asked for, from any address (guessing one account's
    password from many machines)."""

    scope = "auth_token_account"
    rate_setting = "API_TOKEN_RATE_ACCOUNT"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
