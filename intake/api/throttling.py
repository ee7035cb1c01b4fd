from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from intake.models import ApiClient


class ApiClientRateThrottle(SimpleRateThrottle):
    """Per-organisation-key rate limit (INTAKE_API_CLIENT_RATE); people and anonymous callers are not counted."""

    scope = "intake_api_client"

    def get_rate(self):
        return settings.INTAKE_API_CLIENT_RATE

    def allow_request(self, request, view):
        # Read the rate per request so a changed setting applies at once.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
