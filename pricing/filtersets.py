import django_filters
from django.db.models import Q

from core.db import MAX_ID
from pricing.models import PriceList


class PriceListFilterSet(django_filters.FilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on")
    facility = django_filters.NumberFilter(field_name="resource__facility", min_value=1, max_value=MAX_ID)

    class Meta:
        model = PriceList
        fields = ["resource", "facility", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value))
