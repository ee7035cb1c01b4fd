"""Filters shared by the apps' filtersets.

`IdFilter` takes a database id: a whole number from 1 to the largest key (400 naming the parameter otherwise, never
a database error), and says so in the schema.

django-filter's BooleanFilter reads `?mine=abc` as "not given" and answers the whole list; the schema says the
parameter is a boolean, so the API refuses anything but `true` and `false` (400 naming it). An empty value, and
`unknown` (what Django's yes/no/unknown select sends from a page), still mean not given.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.db import MAX_ID

TRUE, FALSE, NOT_GIVEN = {"true"}, {"false"}, {"", "unknown"}


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """Django's yes/no/unknown select, handing the value on as sent (Django's own turns "abc" into unknown)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    widget = RawNullBooleanSelect
    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        if text in NOT_GIVEN:
            return None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass  # None is allowed: the filter is simply not applied


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses anything but true, false or empty."""

    field_class = StrictNullBooleanField


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 to the largest database key."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
