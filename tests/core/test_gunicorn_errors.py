"""Requests gunicorn refuses before Django sees them (a request line over 8190 bytes, oversized headers, an
unreadable request) are answered with a problem too, as the schema documents (414, 431, 400)."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import gunicorn as gunicorn_settings
from core.problems import problem_types

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("status", "reason", "code"), [(414, "URI Too Long", "uri_too_long"),
                                                       (431, "Request Header Fields Too Large", "headers_too_large"),
                                                       (400, "Bad Request", "bad_request")])  # fmt: skip
def test_each_refusal_is_a_problem_of_a_documented_type(status, reason, code):
    head, _, body = gunicorn_settings.problem_bytes(status, reason).partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()) and b"Content-Type: application/problem+json" in head
    problem = json.loads(body)
    assert (problem["status"], problem["code"], problem["errors"]) == (status, code, [])
    assert problem["type"] in problem_types()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_answers_an_address_too_long_with_a_problem():
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        answer = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not answer:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(b"GET /api/v1/facilities/?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                    while chunk := sock.recv(65536):
                        answer += chunk
            except OSError:
                time.sleep(0.5)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 414 ") and b"application/problem+json" in head, answer[:300]
        assert json.loads(body)["code"] == "uri_too_long"
    finally:
        server.terminate()
        server.wait(timeout=30)
