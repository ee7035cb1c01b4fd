from django.urls import path

from booking import feeds, views

app_name = "booking"
urlpatterns = [
    path("calendar/resources/<int:pk>.ics", feeds.resource_feed, name="resource_feed"),
    path("calendar/private/<str:token>.ics", feeds.private_feed, name="private_feed"),
    path("capacity/", views.find_capacity, name="find_capacity"),
    path("resources/<int:pk>/book/", views.book, name="book"),
    path("resources/<int:pk>/training/", views.request_training, name="request_training"),
    path("resources/<int:pk>/calendar-settings/", views.manage_calendar, name="manage_calendar"),
    path("bookings/mine/", views.my_bookings, name="my_bookings"),
    path("bookings/facility/", views.facility_bookings, name="facility_bookings"),
    path("bookings/facility/<int:pk>/use/", views.facility_use, name="facility_use"),
    path("bookings/facility/<int:pk>/orders/", views.facility_orders, name="facility_orders"),
    path("bookings/<int:pk>/", views.booking_detail, name="detail"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("bookings/<int:pk>/booking.ics", views.booking_calendar_file, name="calendar_file"),
    path("bookings/queue/", views.queue, name="queue"),
    path("bookings/feeds/", views.feeds_page, name="feeds"),
]
