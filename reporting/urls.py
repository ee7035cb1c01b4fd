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
]
