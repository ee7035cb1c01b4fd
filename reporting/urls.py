"""The statistics pages: /statistikk/ (the portal's language switch gives it in English), the open data and its
description, and the usage reports of facilities."""

from django.urls import path, re_path

from reporting import views

app_name = "reporting"
TABLES = "|".join(views.DOWNLOADS)

urlpatterns = [
    path("statistikk/", views.statistics_page, name="statistics"),
    path("statistikk/apne-data/", views.open_data_page, name="open_data"),
    re_path(rf"^statistikk/(?P<name>{TABLES})\.csv$", views.statistics_csv, name="statistics_csv"),
    re_path(rf"^statistikk/(?P<name>{TABLES})\.json$", views.statistics_json, name="statistics_json"),
    path("statistikk/bruk/fasiliteter/<int:pk>/", views.usage_report_page, {"kind": "facility"}, name="facility_usage"),
    path("statistikk/bruk/fasiliteter/<int:pk>/rapport.xlsx", views.usage_report_xlsx, {"kind": "facility"},
         name="facility_usage_xlsx"),
    path("statistikk/bruk/fasiliteter/<int:pk>/rapport.pdf", views.usage_report_pdf, {"kind": "facility"},
         name="facility_usage_pdf"),
    path("statistikk/bruk/ressurser/<int:pk>/", views.usage_report_page, {"kind": "resource"}, name="resource_usage"),
    path("statistikk/bruk/ressurser/<int:pk>/rapport.xlsx", views.usage_report_xlsx, {"kind": "resource"},
         name="resource_usage_xlsx"),
    path("statistikk/bruk/ressurser/<int:pk>/rapport.pdf", views.usage_report_pdf, {"kind": "resource"},
         name="resource_usage_pdf"),
]  # fmt: skip
