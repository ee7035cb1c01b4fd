"""Content negotiation for the API (its own module: DRF imports it while core.api is still importing DRF)."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, with its most common case answered without parsing the Accept header.

    A request that accepts anything (no Accept header, or `*/*`) or exactly the first renderer's type, and names no
    `?format=`, gets the first renderer – what DRF's own negotiation answers for it. Everything else goes to DRF.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if renderers and not format_suffix and self.settings.URL_FORMAT_OVERRIDE not in request.query_params:
            first = renderers[0]
            if request.META.get("HTTP_ACCEPT", "*/*") in ("*/*", first.media_type):
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
