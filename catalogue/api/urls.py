from django.urls import path
from rest_framework.routers import SimpleRouter

from catalogue.api import views

router = SimpleRouter()
router.register("institutions", views.InstitutionViewSet, basename="institution")
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("contacts", views.ContactPersonViewSet, basename="contact")
router.register("resources", views.ResourceViewSet, basename="resource")

urlpatterns = [
    path("export/uniquip.csv", views.UniquipExportView.as_view(), name="export-uniquip"),
    *router.urls,
]
