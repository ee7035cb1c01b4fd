from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounting.urls import booking_namespace_aliases
from accounts.views import too_many_requests
from booking.urls import urlpatterns as booking_urlpatterns

# The admin signs in through allauth's log-in page, so e-mail verification, rate limits and MFA apply there too.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

# allauth answers a rate-limited log-in, sign-up or password reset with this page.
handler429 = too_many_requests

# No two API patterns match the same path, so the order is free: bookings first, as the busiest write (Django
# tries the patterns in order, each a regular expression).
api_v1 = [
    path("", include("booking.api.urls")),
    path("", include("accounting.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("catalogue.api.urls")),
    path("", include("pricing.api.urls")),
    path("", include("intake.api.urls")),
    path("", include("calendars.api.urls")),
    path("", include("reporting.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script from ?script, not inline (the Content-Security-Policy).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema"), name="docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("accounting/", include("accounting.urls")),
    path("", include("agreements.urls")),
    # The accounting pages' old names (booking:accounting_*) as aliases of the same addresses, for one release.
    path("", include((booking_urlpatterns + booking_namespace_aliases, "booking"))),
    path("", include("pricing.urls")),
    path("", include("intake.urls")),
    path("", include("calendars.urls")),
    path("", include("reporting.urls")),
    path("", include("catalogue.urls")),
    path("", include("core.urls")),
]
