"""The project's URLs with the accounting URLs added, for tests that run before the lead mounts them.

The "booking" and "api-v1" includes of config.urls are rebuilt with the accounting patterns added, so every
other name keeps reversing as in production.
"""

from django.urls import include, path

from booking import accounting_urls
from booking import urls as booking_urls
from config import urls as project_urls


def _rebuilt(resolver):
    namespace = getattr(resolver, "namespace", None)
    if namespace == "api-v1":
        return path("api/v1/", include(([*project_urls.api_v1, *accounting_urls.api_urlpatterns], "api-v1")))
    if namespace == "booking":
        return path("", include(([*booking_urls.urlpatterns, *accounting_urls.web_urlpatterns], "booking")))
    return resolver


urlpatterns = [_rebuilt(pattern) for pattern in project_urls.urlpatterns]
