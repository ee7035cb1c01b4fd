"""RFC 9457 problem details: the one shape of every error answer under /api/.

A problem is a JSON object with `type` (a URI naming the kind of problem, one per status), `title` (that kind in
words), `status`, `detail` (this occurrence in words), `code` (a stable name of the rule or failure, for programs)
and `errors` (one entry per input at fault: `field`, `code`, `detail`). Extension members such as `alternatives`
(409 of a taken slot) stand beside them, and, as error bodies had them before, each top-level field at fault with
its messages (`"start": ["..."]`). Both the DRF exception handler (core.api) and the middleware that answers
for Django itself (core.middleware) build their bodies here, so the two can never drift apart.
"""

from http import HTTPStatus

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"

# The members RFC 9457 defines, plus ours: an extension member of an error may never replace one of them.
RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "code", "errors"})

# One problem type per status: (type URI suffix, title, the code used when nothing more precise is known).
_KINDS = {
    400: ("invalid-input", _("The input was refused"), "invalid"),
    401: ("not-authenticated", _("Authentication is needed"), "not_authenticated"),
    403: ("forbidden", _("Not allowed"), "permission_denied"),
    404: ("not-found", _("Not found"), "not_found"),
    405: ("method-not-allowed", _("Method not allowed"), "method_not_allowed"),
    406: ("not-acceptable", _("Cannot answer in the requested format"), "not_acceptable"),
    409: ("conflict", _("Conflict with the current state"), "conflict"),
    413: ("payload-too-large", _("The request body is too large"), "body_too_large"),
    # 414 and 431 come from gunicorn, before Django (config/gunicorn.py writes them with the same type and code).
    414: ("uri-too-long", _("The address is too long"), "uri_too_long"),
    415: ("unsupported-media-type", _("Unsupported media type"), "unsupported_media_type"),
    422: ("unprocessable", _("The request cannot be processed"), "unprocessable"),
    429: ("throttled", _("Too many requests"), "throttled"),
    431: ("headers-too-large", _("The request headers are too large"), "headers_too_large"),
    500: ("server-error", _("Server error"), "server_error"),
}
TYPE_PREFIX = "urn:labtorget:problem:"


def problem_type(status: int) -> str:
    """The `type` URI of a status: one of the documented kinds, else the class (4xx/5xx) it belongs to."""
    if status in _KINDS:
        return TYPE_PREFIX + _KINDS[status][0]
    return TYPE_PREFIX + ("server-error" if status >= 500 else "client-error")


def problem_types() -> list[str]:
    """Every `type` a problem can have (the schema's enum)."""
    return [TYPE_PREFIX + kind for kind, _title, _code in _KINDS.values()] + [
        TYPE_PREFIX + "client-error",
        TYPE_PREFIX + "server-error",
    ]


def default_code(status: int) -> str:
    if status in _KINDS:
        return _KINDS[status][2]
    return "server_error" if status >= 500 else "client_error"


def safe_text(value) -> str:
    """Text that can always be encoded and stored: NUL and lone surrogates become U+FFFD.

    Error messages may quote what a client sent (DRF's '"x" is not a valid choice'); input that cannot be encoded
    as UTF-8, or stored in PostgreSQL text, must never reach the renderer or the database as it is.
    """
    text = force_str(value)
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char for char in text)
    return text


def problem(
    status: int,
    *,
    detail=None,
    code: str | None = None,
    errors: list[dict] | None = None,
    extra: dict | None = None,
    fields: dict | None = None,
) -> dict:
    """The problem body for one error answer. `extra` adds extension members (never over the reserved ones);
    `fields` the messages by top-level field, as error bodies had them before problems (`"start": ["..."]`)."""
    title = _KINDS[status][1] if status in _KINDS else HTTPStatus(status).phrase
    body = {
        "type": problem_type(status),
        "title": safe_text(title),
        "status": status,
        "detail": safe_text(detail if detail is not None else title),
        "code": safe_text(code or default_code(status)),
        "errors": [
            {
                "field": safe_text(entry["field"]) if entry.get("field") is not None else None,
                "code": safe_text(entry.get("code") or "invalid"),
                "detail": safe_text(entry.get("detail", "")),
            }
            for entry in errors or []
        ],
    }
    for name, value in (extra or {}).items():
        if name not in RESERVED_MEMBERS:
            body[name] = value
    for name, value in (fields or {}).items():
        if name not in RESERVED_MEMBERS and name not in body:
            body[safe_text(name)] = _safe_structure(value)
    return body


def _safe_structure(value):
    """Messages as plain JSON (lists and objects of text), every text made safe."""
    if isinstance(value, dict):
        return {safe_text(key): _safe_structure(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe_structure(item) for item in value]
    return safe_text(value)


def is_problem(data) -> bool:
    """Whether a body already has the problem shape (built by the handler, or stored by an idempotent replay)."""
    return isinstance(data, dict) and {"type", "title", "status", "code", "errors"} <= data.keys()


def problem_from_body(status: int, data) -> dict:
    """A problem from an error body in the older shapes: `{"detail", "code", ...extensions}` or `{field: [...]}`.

    Views that build an error answer themselves (a replayed idempotent answer stored before problems existed, say)
    still answer in the one format.
    """
    if is_problem(data):
        return data
    if not isinstance(data, dict):
        return problem(status, detail=" ".join(force_str(item) for item in data) if isinstance(data, list) else None)
    detail = data.get("detail")
    code = data.get("code")
    errors, extra, fields = [], {}, {}
    for name, value in data.items():
        if name in ("detail", "code"):
            continue
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            errors += [{"field": name, "code": code or "invalid", "detail": item} for item in value]
            fields[name] = value
        else:
            extra[name] = value
    if detail is None and errors:
        detail = errors[0]["detail"]
    return problem(
        status,
        detail=detail if isinstance(detail, str) else None,
        code=code if isinstance(code, str) else None,
        errors=errors,
        extra=extra,
        fields=fields,
    )
