"""One FilterSet per model, shared by the portal pages and the API so both filter identically."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue import selectors
from catalogue.choices import AccessModel, FacilityKind, Region, ResourceKind
from catalogue.models import Facility, Institution, Resource
from core import filters as core_filters
from core.db import MAX_ID


def _id_filter(queryset, field: str, value: str):
    """Filter on an id given as digits; a number no key can hold matches nothing (not a database overflow)."""
    number = int(value)
    if number > MAX_ID:
        return queryset.none()
    return queryset.filter(**{field: number})


def _institution_filter(queryset, field_prefix: str, value: str):
    """An institution is given by its id or its slug (`uio`)."""
    value = (value or "").strip()
    if not value:
        return queryset
    if value.isdecimal():
        return _id_filter(queryset, f"{field_prefix}institution_id", value)
    return queryset.filter(**{f"{field_prefix}institution__slug": value})


class FacilityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    institution = django_filters.CharFilter(method="filter_institution", label=_("Institution (id or slug)"))
    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices, label=_("Kind"))
    category = django_filters.CharFilter(field_name="categories__slug", label=_("Research field (slug)"))
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact", label=_("City"))
    region = django_filters.ChoiceFilter(field_name="institution__region", choices=Region.choices, label=_("Region"))
    access_model = django_filters.ChoiceFilter(
        method="filter_access_model", choices=AccessModel.choices, label=_("Access model")
    )
    open_to_industry = core_filters.BooleanFilter(label=_("Open to industry"))

    class Meta:
        model = Facility
        fields = ["q", "institution", "kind", "category", "city", "region", "access_model", "open_to_industry"]

    def filter_q(self, queryset, name, value):
        return selectors.facility_search(queryset, value)

    def filter_institution(self, queryset, name, value):
        return _institution_filter(queryset, "", value)

    def filter_access_model(self, queryset, name, value):
        field = Facility.ACCESS_MODEL_FIELDS.get(AccessModel(value))
        return queryset.filter(**{field: True})


class InstitutionFilterSet(django_filters.FilterSet):
    kind = django_filters.CharFilter(field_name="kind")
    region = django_filters.ChoiceFilter(choices=Region.choices)
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")

    class Meta:
        model = Institution
        fields = ["kind", "region", "city"]


class ResourceFilterSet(django_filters.FilterSet):
    facility = django_filters.CharFilter(method="filter_facility", label=_("Facility (id or slug)"))
    institution = django_filters.CharFilter(method="filter_institution", label=_("Institution (id or slug)"))
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices, label=_("Kind"))
    bookable = core_filters.BooleanFilter(label=_("Can be booked"))

    class Meta:
        model = Resource
        fields = ["facility", "institution", "kind", "bookable"]

    def filter_facility(self, queryset, name, value):
        value = (value or "").strip()
        if value.isdecimal():
            return _id_filter(queryset, "facility_id", value)
        return queryset.filter(Q(facility__slug=value))

    def filter_institution(self, queryset, name, value):
        return _institution_filter(queryset, "facility__", value)
