"""Filters shared by the booking list page and the API."""

import django_filters

from booking.choices import BookingStatus
from booking.models import Booking
from core import filters as core_filters


class BookingFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    facility = core_filters.IdFilter(field_name="resource__facility_id")
    starts_after = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")
    mine = core_filters.BooleanFilter(method="filter_mine")

    class Meta:
        model = Booking
        fields = ["status", "resource", "facility", "activity", "starts_after", "starts_before", "mine"]

    def filter_mine(self, queryset, name, value):
        if value and self.request is not None:
            return queryset.filter(user=self.request.user)
        return queryset
