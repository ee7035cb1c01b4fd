"""The statistics API under /api/v1/statistics/ (in the "api-v1" namespace)."""

from django.urls import path

from reporting.api import views

urlpatterns = [
    path("statistics/institutions/", views.InstitutionStatisticsView.as_view(), name="statistics-institutions"),
]
