"""The API's edge (refuse what no view should ever see, answer every error under /api/ as a problem), and the
security headers every answer carries.

Before a view runs, a request to /api/ is refused when its body is larger than API_MAX_BODY_BYTES (413), or when a
query parameter, a path parameter or a header holds a NUL, a lone surrogate or a time with a UTC offset beyond
±15:59 (400 naming it). After it, every answer of 400 or more that is not yet a problem (Django's own 404 for an
unknown address, its 400 and 500 pages, the browsable API's HTML, a body a view built itself) becomes one, as
`application/problem+json`. The JSON body itself is checked by core.edge.SafeJSONParser.
"""

import json
import logging

from django.conf import settings
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


# The features no page of the portal uses, switched off for it and for anything it embeds (docs/api.md, "Headers").
DEFAULT_PERMISSIONS_POLICY = {
    "accelerometer": (), "ambient-light-sensor": (), "autoplay": (), "browsing-topics": (), "camera": (),
    "display-capture": (), "encrypted-media": (), "fullscreen": ("self",), "geolocation": (), "gyroscope": (),
    "hid": (), "magnetometer": (), "microphone": (), "midi": (), "payment": (), "picture-in-picture": (),
    "screen-wake-lock": (), "serial": (), "usb": (), "xr-spatial-tracking": (),
}  # fmt: skip
# Answers the same for everyone, which any cache may keep even when a signed-in person asked for them.
SHARED_PATHS = ("/api/v1/schema/", "/api/v1/docs/")


def permissions_policy_header(policy: dict) -> str:
    """`{"camera": (), "fullscreen": ("self",)}` as `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class SecurityHeadersMiddleware:
    """Headers on every answer that Django's SecurityMiddleware does not set.

    - `Permissions-Policy` (settings.PERMISSIONS_POLICY): the browser features the portal never uses are off.
    - `Cache-Control: no-store` on every answer that may hold personal data, so that neither a shared cache nor the
      browser's history keeps it: answers to a signed-in person (session) or to a request with an `Authorization`
      header (personal token, organisation key), answers that set a cookie other than the CSRF and language
      cookies (a session begins), and answers to writes (the token endpoint's new token, say). A view that already
      forbids storing (`never_cache` on pages reached by a secret link) keeps its header. Static files, the OpenAPI
      schema and its docs are the same for everyone and stay cacheable; so are public pages and API answers to
      anonymous readers (the register, search, availability).

    First in MIDDLEWARE, so that it also sees static files and every other middleware's answers.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(
            getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        )
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        # Django refreshes the CSRF cookie on every page with a form; it and the language say nothing about anyone.
        self.impersonal_cookies = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy and not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = self.permissions_policy
        if self.is_personal(request, response) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response

    def is_personal(self, request, response) -> bool:
        path = request.path_info
        if path.startswith(self.static_prefix) or path.startswith(SHARED_PATHS):
            return False
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        if any(name not in self.impersonal_cookies for name in response.cookies):  # a session begins, say
            return True
        if request.META.get("HTTP_AUTHORIZATION"):
            return True
        user = getattr(request, "user", None)  # the person a session or DRF (token) authenticated
        return bool(user is not None and user.is_authenticated)


__all__ = ["ApiEdgeMiddleware", "SecurityHeadersMiddleware", "problem_response", "safe_text"]
