"""Subscribable iCalendar feeds: public busy-only per resource, private per user and per facility (token)."""

import datetime

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.cache import never_cache

from booking import ics
from booking.models import Booking, CalendarFeedToken, Closure
from catalogue.models import Resource


def _since():
    return timezone.now() - datetime.timedelta(days=settings.BOOKING_FEED_PAST_DAYS)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def resource_feed(request, pk):
    """Busy times of a published resource; no names, purposes or status other than busy/cancelled."""
    resource = get_object_or_404(Resource, pk=pk, facility__status="published")
    bookings = Booking.objects.filter(resource=resource, end__gte=_since()).select_related("resource__facility")
    closures = Closure.objects.filter(resource=resource, end__gte=_since())
    return _ics_response(ics.busy_feed(resource, bookings, closures), f"resource-{resource.pk}.ics")


@never_cache  # a person's bookings, reached by a secret address: no cache keeps them
def private_feed(request, token):
    feed = CalendarFeedToken.objects.select_related("user", "facility").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    bookings = Booking.objects.filter(end__gte=_since()).select_related("resource__facility", "user")
    if feed.facility_id:
        from catalogue import roles

        if not roles.can_manage_facility(feed.user, feed.facility):
            raise Http404  # no longer a manager: the address stops working
        bookings = bookings.filter(resource__facility=feed.facility)
        return _ics_response(
            ics.private_feed(feed.facility.name, bookings, show_user=True), f"facility-{feed.facility_id}.ics"
        )
    bookings = bookings.filter(user=feed.user)
    return _ics_response(ics.private_feed("Labtorget", bookings, show_user=False), "my-bookings.ics")
