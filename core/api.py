"""Shared API plumbing: turns domain errors into HTTP answers that name the field or the conflict, and reads
times safely."""

import types

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.utils.formatting import lazy_format
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


class _SharedParent:
    """The parent of shared fields: a root that is never a partial update and has no context."""

    parent = None
    partial = False
    _context = types.MappingProxyType({})


class SharedFieldsSerializer(serializers.Serializer):
    """An input serializer whose fields are built once per class instead of once per request.

    DRF deep-copies every declared field for each serializer instance; on the booking API that was a tenth of a
    request's time. Sharing is safe only for fields that keep no state while they validate and read neither their
    parent nor the context, so only plain value fields without a mutable default are allowed (the class refuses
    others when first used), each field's parent is a neutral root rather than the first request's serializer, and
    a message DRF would format once and keep (length and range limits) is formatted again in each request's
    language. Partial updates are refused: the fields could not see them.
    """

    SHAREABLE = (
        serializers.BooleanField, serializers.CharField, serializers.ChoiceField, serializers.DateField,
        serializers.DateTimeField, serializers.DecimalField, serializers.IntegerField,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        if kwargs.get("partial"):
            raise ImproperlyConfigured(f"{type(self).__name__} shares its fields and cannot validate a partial update.")
        super().__init__(*args, **kwargs)

    @property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            shared = dict(super().fields)
            for name, field in shared.items():
                contextual = getattr(field.default, "requires_context", False) or any(
                    getattr(validator, "requires_context", False) for validator in field.validators
                )
                mutable_default = isinstance(field.default, list | dict | set)
                if not isinstance(field, self.SHAREABLE) or contextual or mutable_default:
                    raise ImproperlyConfigured(f"{cls.__name__}.{name} cannot be shared between requests.")
                for validator in field.validators:
                    if isinstance(getattr(validator, "message", None), lazy_format):
                        validator.message = _per_request(validator.message, f"{cls.__name__}.{name}")
                field.parent = _SharedParent
            cls._shared_fields = shared
        return shared


def _per_request(message: lazy_format, name: str):
    """A validator's message, formatted when shown rather than once for good (DRF's lazy_format keeps the first
    language it was shown in)."""
    if message.result is not None:
        raise ImproperlyConfigured(f"{name}: a message was already formatted before the field was shared.")
    return format_lazy(message.format_string, *message.args, **message.kwargs)
