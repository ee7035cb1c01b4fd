"""Shared API plumbing: turns domain errors into HTTP answers that name the field or the conflict, and reads
times safely."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ConflictError, DomainError


def exception_handler(exc, context):
    """DRF's handler, plus: Django ValidationError -> 400 by field, DomainError -> 400, ConflictError -> 409."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            body = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class ApiDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time between the years 2000 and 2100.

    The year is checked before the time zone is applied: DRF's own time-zone step fails with an OverflowError
    (a 500) on times such as 0001-01-01T00:00. With `require_offset` a time without a UTC offset is refused
    rather than guessed; without it, it is read as Norwegian time.
    """

    FIRST_YEAR, LAST_YEAR = 2000, 2100
    default_error_messages = {
        "naive": _("Give the time with a UTC offset, for example 2027-01-04T10:00:00+01:00."),
        "out_of_range": _("Give a time between the years {first} and {last}."),
    }

    def __init__(self, *args, require_offset: bool = False, **kwargs):
        self.require_offset = require_offset
        super().__init__(*args, **kwargs)

    def to_internal_value(self, value):
        if self.require_offset and isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # well-formed but impossible (30 February): the parent names the format
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)

    def enforce_timezone(self, value):
        if not self.FIRST_YEAR <= value.year <= self.LAST_YEAR:
            self.fail("out_of_range", first=self.FIRST_YEAR, last=self.LAST_YEAR)
        return super().enforce_timezone(value)
