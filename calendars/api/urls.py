from django.urls import path

from calendars.api import views

urlpatterns = [
    path(
        "resources/<int:pk>/external-calendars/",
        views.ExternalCalendarListView.as_view(),
        name="resource-external-calendars",
    ),
    path(
        "resources/<int:pk>/external-calendars/<int:calendar_id>/",
        views.ExternalCalendarDetailView.as_view(),
        name="resource-external-calendar",
    ),
]
