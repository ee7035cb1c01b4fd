from django.urls import path
from rest_framework.routers import SimpleRouter

from intake.api.views import IntakeRequestViewSet, WebhookDeliveryListView, WebhookView

router = SimpleRouter()
router.register("intake/requests", IntakeRequestViewSet, basename="intake-request")

urlpatterns = [
    path("intake/webhook/", WebhookView.as_view(), name="intake-webhook"),
    path("intake/webhook/deliveries/", WebhookDeliveryListView.as_view(), name="intake-webhook-deliveries"),
    *router.urls,
]
