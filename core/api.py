"""Shared API plumbing: every error as an RFC 9457 problem (core.problems), input checked at the edge, and times
read safely.

The exception handler is drf-standardized-errors' (it turns Django's Http404 and PermissionDenied, and any
unexpected exception, into an answer, and logs a 500 the way Django does); its formatter is ours, so that the body
is a problem with `type`, `title`, `status`, `detail`, `code` and per-field `errors`. The same library's AutoSchema
documents the error answers each operation can give (core.openapi finishes the job).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.formatter import ExceptionFormatter, flatten_errors
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.handler import exception_handler as standardized_exception_handler
from rest_framework import exceptions, serializers, status

from core.edge import PayloadTooLarge
from core.errors import ConflictError, DomainError
from core.problems import problem, safe_text

# The handler named in REST_FRAMEWORK["EXCEPTION_HANDLER"]. drf-standardized-errors documents an operation's errors
# only for views whose handler is this very function, so it is re-exported, not wrapped.
exception_handler = standardized_exception_handler


class DomainProblem(exceptions.APIException):
    """A DomainError (400) or ConflictError (409) on its way through DRF's handler."""

    def __init__(self, error: DomainError):
        self.error = error
        self.status_code = status.HTTP_409_CONFLICT if isinstance(error, ConflictError) else status.HTTP_400_BAD_REQUEST
        super().__init__(detail=safe_text(error.message), code=error.code)


def _django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                field: [
                    exceptions.ErrorDetail(safe_text(message), code=error.code or "invalid")
                    for error in errors
                    for message in error.messages
                ]
                for field, errors in exc.error_dict.items()
            }  # fmt: skip
        )
    return exceptions.ValidationError(
        [exceptions.ErrorDetail(safe_text(message), code=exc.code or "invalid") for message in exc.messages]
    )


class ProblemExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler, knowing our domain errors and Django's own refusals."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, DomainError):
            return DomainProblem(exc)
        if isinstance(exc, DjangoValidationError):
            return _django_validation_error(exc)
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, DjangoPermissionDenied) and exc.args:
            # A refusal that says why (accounts.policies.EmailUnverified: {"detail", "code"}) keeps its words.
            reason = exc.args[0]
            if isinstance(reason, dict) and "detail" in reason:
                return exceptions.PermissionDenied(safe_text(reason["detail"]), code=reason.get("code"))
            return exceptions.PermissionDenied(safe_text(reason))
        if isinstance(exc, RecursionError):
            return PayloadTooLarge(_("The input is nested too deeply."), code="body_too_deep")
        return super().convert_known_exceptions(exc)


class ProblemFormatter(ExceptionFormatter):
    """The body of an error answer: an RFC 9457 problem (core.problems.problem)."""

    def run(self):
        exc = self.exc
        if isinstance(exc, DomainProblem):
            error = exc.error
            errors = [{"field": error.field, "code": error.code, "detail": error.message}] if error.field else []
            fields = {error.field: [error.message]} if error.field else None
            return problem(
                exc.status_code, detail=error.message, code=error.code, errors=errors, extra=error.extra, fields=fields
            )
        if isinstance(exc, exceptions.ValidationError):
            detail, code, extra = None, None, {}
            body = exc.detail
            if isinstance(body, dict):
                body = dict(body)
                # A view may name the first broken rule itself (`detail` and `code` beside the fields).
                for name in ("detail", "code"):
                    value = body.get(name)
                    if isinstance(value, list) and len(value) == 1:
                        value = value[0]
                    if isinstance(value, str):
                        text = value
                        if name == "detail":
                            detail = text
                        else:
                            code = str(text)
                        del body[name]
            errors = [
                {"field": error.attr, "code": error.code, "detail": error.detail} for error in flatten_errors(body)
            ]
            if errors:
                detail = detail if detail is not None else errors[0]["detail"]
                code = code or errors[0]["code"]
                for entry in errors:
                    if entry["field"] in (None, "non_field_errors"):
                        entry["field"] = None
            fields = body if isinstance(body, dict) else None
            return problem(exc.status_code, detail=detail, code=code, errors=errors, extra=extra, fields=fields)
        detail = exc.detail
        if isinstance(detail, (list, dict)):
            errors = [{"field": e.attr, "code": e.code, "detail": e.detail} for e in flatten_errors(detail)]
            first = errors[0] if errors else {}
            return problem(exc.status_code, detail=first.get("detail"), code=first.get("code"), errors=errors)
        code = getattr(detail, "code", None)
        if code == "error" or not code:
            code = None  # APIException's generic code: the status says more
        extra = {"retry_after": int(exc.wait)} if getattr(exc, "wait", None) is not None else None
        return problem(exc.status_code, detail=str(detail), code=code, extra=extra)


class JsonStringField(serializers.CharField):
    """DRF's CharField, refusing what is not a JSON string: DRF turns a number into text (`{"reason": 0}` became
    "0"), while the schema says the field is a string."""

    default_error_messages = {"not_text": _("Give text (a JSON string).")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


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
