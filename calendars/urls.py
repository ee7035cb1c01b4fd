from django.urls import path

from calendars import views

app_name = "calendars"
urlpatterns = [
    path("resources/<int:pk>/external-calendars/", views.manage, name="manage"),
    path("resources/<int:pk>/external-calendars/<int:calendar_id>/remove/", views.remove, name="remove"),
    path("resources/<int:pk>/external-calendars/<int:calendar_id>/refresh/", views.refresh, name="refresh"),
    path("calendars/demo/<slug:name>.ics", views.demo_feed, name="demo_feed"),
]
