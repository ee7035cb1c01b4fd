from django.urls import path
from rest_framework.routers import SimpleRouter

from booking import accounting_urls
from booking.api import views


class NumericIdRouter(SimpleRouter):
    """Booking ids are numbers: /bookings/abc/ is a plain 404 instead of a failed database lookup."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return f"(?P<{lookup_prefix}pk>[0-9]+)"


router = NumericIdRouter()
router.register("bookings", views.BookingViewSet, basename="booking")

urlpatterns = [
    *accounting_urls.api_urlpatterns,
    path("resources/<int:pk>/availability/", views.ResourceAvailabilityView.as_view(), name="resource-availability"),
    path("availability/", views.FreeCapacityView.as_view(), name="free-capacity"),
    *router.urls,
]
