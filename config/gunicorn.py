"""gunicorn settings (`gunicorn -c config/gunicorn.py config.wsgi`): the Dockerfile, the fuzzer and the benchmark.

gunicorn refuses some requests before Django sees them: a request line longer than `limit_request_line` (414), too
many or too large headers (431), a request it cannot parse (400). Its own answer to them is an HTML page; here it is
an RFC 9457 problem like every other error of the API (docs/api.md, "Limits").
"""

import json

from gunicorn import util

# The longest request line (method, address with its query, protocol) gunicorn reads: its largest setting.
limit_request_line = 8190

KINDS = {
    400: ("invalid-input", "The request cannot be read", "bad_request"),
    414: ("uri-too-long", "The address is too long", "uri_too_long"),
    431: ("headers-too-large", "The request headers are too large", "headers_too_large"),
}


def problem_bytes(status: int, reason: str) -> bytes:
    """The whole HTTP answer for a request gunicorn refused: a problem, never echoing the request."""
    kind, title, code = KINDS.get(status, ("client-error" if status < 500 else "server-error", reason, "refused"))
    detail = {414: f"Send at most {limit_request_line} bytes in the request line (address and query)."}.get(status)
    body = json.dumps(
        {"type": f"urn:labtorget:problem:{kind}", "title": title, "status": status, "detail": detail or title,
         "code": code, "errors": []}
    ).encode()  # fmt: skip
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def write_problem(sock, status_int, reason, mesg):
    """In place of gunicorn.util.write_error (same arguments; `mesg` may quote the request and is left out)."""
    util.write_nonblock(sock, problem_bytes(status_int, reason))


def post_worker_init(worker):
    """gunicorn hook: each worker answers the requests it refuses itself with a problem."""
    util.write_error = write_problem
