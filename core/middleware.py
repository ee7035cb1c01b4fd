"""The API's edge: refuse what no view should ever see, and answer every error under /api/ as a problem.

Before a view runs, a request to /api/ is refused when its body is larger than API_MAX_BODY_BYTES (413), or when a
query parameter, a path parameter or a header holds a NUL, a lone surrogate or a time with a UTC offset beyond
±15:59 (400 naming it). After it, every answer of 400 or more that is not yet a problem (Django's own 404 for an
unknown address, its 400 and 500 pages, the browsable API's HTML, a body a view built itself) becomes one, as
`application/problem+json`. The JSON body itself is checked by core.edge.SafeJSONParser.
"""

import json
import logging

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.edge import MAX_BODY_BYTES, input_fault
from core.problems import PROBLEM_CONTENT_TYPE, problem, problem_from_body, safe_text

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Headers an error answer keeps when its body is replaced.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "Vary", "Content-Language", "Idempotent-Replayed")


def problem_response(body: dict, *, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False).encode("utf-8"), status=body["status"], content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_refusal(field: str, code: str, message) -> HttpResponse:
    return problem_response(
        problem(400, detail=message, code=code, errors=[{"field": field, "code": code, "detail": message}])
    )


class ApiEdgeMiddleware:
    """See the module docstring. Place it after LocaleMiddleware, so that problems speak the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        refusal = self._refuse(request)
        response = refusal or self.get_response(request)
        if response.status_code >= 400:
            response = self._as_problem(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(API_PREFIX):
            return None
        for name, value in view_kwargs.items():
            if isinstance(value, str) and (fault := input_fault(value)):
                return _field_refusal(name, *fault)
        return None

    def _refuse(self, request) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return problem_response(
                problem(
                    413,
                    detail=_("Send at most %(limit)d bytes in one request.") % {"limit": MAX_BODY_BYTES},
                    code="body_too_large",
                    extra={"limit": MAX_BODY_BYTES},
                )
            )
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                header = key[5:].replace("_", "-").title()
                message = _("Remove the NUL character (\\u0000) from the header.")
                return _field_refusal(header, "null_character", message)
        for name, values in request.GET.lists():
            fault = input_fault(name)
            if fault:
                return _field_refusal(name, *fault)
            for value in values:
                if fault := input_fault(value):
                    return _field_refusal(name, *fault)
        return None

    def _as_problem(self, response) -> HttpResponse:
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        data = getattr(response, "data", None)
        if data is not None:
            body = problem_from_body(response.status_code, data)
        else:
            body = problem(response.status_code)
        body["status"] = response.status_code
        converted = problem_response(
            body, headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        )
        for cookie in response.cookies.values():
            converted.cookies[cookie.key] = cookie
        return converted


__all__ = ["ApiEdgeMiddleware", "problem_response", "safe_text"]
