"""The API's edge checks, shared by the JSON parser (core.api.SafeJSONParser) and the middleware
(core.middleware): limits on the body, and strings no view should ever see.

Kept apart from core.api because DRF reads the parser while its own views module is loading.
"""

import datetime
import math

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from core.problems import safe_text

# The limits the edge enforces (docs/api.md). Settings may lower or raise them.
MAX_BODY_BYTES = getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024)
MAX_JSON_DEPTH = getattr(settings, "API_MAX_JSON_DEPTH", 32)
# PostgreSQL keeps UTC offsets within ±15:59; Python allows up to ±23:59, which the database refuses.
MAX_UTC_OFFSET = datetime.timedelta(hours=15, minutes=59)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


def input_fault(value: str) -> tuple[str, str] | None:
    """(code, message) when a string cannot be taken as it is: a NUL, a lone surrogate, or a time whose UTC offset
    is beyond ±15:59. None when it is fine. The message never quotes the value."""
    if "\x00" in value:
        return "null_character", _("Remove the NUL character (\\u0000): it cannot be stored.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "invalid_unicode", _("Remove the unpaired surrogate: the text is not valid Unicode.")
    if ":" in value and len(value) <= 64 and value[:1].isdigit():
        for candidate in (value, value.replace(" ", "+")):
            try:
                parsed = parse_datetime(candidate.strip())
            except (ValueError, OverflowError):
                parsed = None
            offset = parsed.utcoffset() if parsed is not None and parsed.tzinfo else None
            if offset is not None and abs(offset) > MAX_UTC_OFFSET:
                return "invalid_offset", _("Give a UTC offset between -15:59 and +15:59.")
    return None


def field_problem(field: str, code: str, message) -> exceptions.ValidationError:
    """A 400 naming one input (the name made safe to print)."""
    return exceptions.ValidationError({safe_text(field): [exceptions.ErrorDetail(safe_text(message), code=code)]})


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, plus the edge checks: nesting deeper than API_MAX_JSON_DEPTH is a 413 (never a
    RecursionError), a NUL, a lone surrogate, an offset beyond ±15:59 or a non-finite number in any key or value is
    a 400 naming the field (`lines.0.name`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise PayloadTooLarge(
                _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_JSON_DEPTH},
                code="body_too_deep",
            ) from None
        check_json(data)
        return data


def check_json(data) -> None:
    """Walk parsed JSON without recursion; raise the first fault found (see SafeJSONParser)."""
    pending = [(data, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise PayloadTooLarge(
                _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_JSON_DEPTH},
                code="body_too_deep",
            )
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                fault = input_fault(key)
                if fault:
                    raise field_problem(name, *fault)
                pending.append((item, name, depth + 1))
        elif isinstance(value, list):
            pending.extend(
                (item, f"{path}.{index}" if path else str(index), depth + 1) for index, item in enumerate(value)
            )
        elif isinstance(value, str):
            fault = input_fault(value)
            if fault:
                raise field_problem(path or "body", *fault)
        elif isinstance(value, float) and not math.isfinite(value):
            raise field_problem(path or "body", "invalid", _("Give a finite number."))
