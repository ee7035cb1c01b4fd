import django_filters
from django.db.models import Q

from core import filters as core_filters
from pricing.models import PriceList


class PriceListFilterSet(django_filters.FilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on")
    facility = core_filters.IdFilter(field_name="resource__facility")  # a whole id: "2.7e16" is refused (400)

    class Meta:
        model = PriceList
        fields = ["resource", "facility", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value))
