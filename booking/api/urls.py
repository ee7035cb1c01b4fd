from django.urls import path
from rest_framework.routers import SimpleRouter

from booking.api import views

router = SimpleRouter()
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("service-orders", views.ServiceOrderViewSet, basename="service-order")

urlpatterns = [
    *router.urls,
    path("resources/<int:pk>/availability/", views.ResourceAvailabilityView.as_view(), name="resource-availability"),
    path("availability/", views.FreeCapacityView.as_view(), name="free-capacity"),
]
