"""A local feed server and real iCalendar files for the external-calendar tests (no network).

The files in feeds/ hold dates as @D+N@: N days after `base`, the Monday two weeks before the next spring clock
change in Oslo (the last Sunday of March) that is at least a week away. So the feeds always lie ahead, and the
series crosses the change: day 0 is the series' first Monday, day 12-13 the clock-change night, day 14 the moved
instance (the day after the change), day 21 the cancelled one.
"""

import datetime
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityManagerFactory
from tests.helpers import OSLO

FEEDS = Path(__file__).parent / "feeds"


def spring_base(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    year = today.year
    while True:
        last_sunday = datetime.date(year, 3, 31)
        last_sunday -= datetime.timedelta(days=(last_sunday.weekday() + 1) % 7)
        base = last_sunday - datetime.timedelta(days=13)
        if base >= today + datetime.timedelta(days=7):
            return base
        year += 1


def feed_text(name: str, base: datetime.date | None = None) -> bytes:
    base = base or spring_base()
    text = (FEEDS / name).read_text()
    return re.sub(r"@D\+(\d+)@", lambda m: f"{base + datetime.timedelta(days=int(m.group(1))):%Y%m%d}", text).encode()


def oslo(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


class FeedServer:
    """Serves `routes[path]` = dict(body=bytes, status=200, headers={}, etag=None, delay=0, drip=None, endless=False).

    With `etag`, a request whose If-None-Match matches gets 304. `delay` waits before answering; `drip` sends the
    body a byte at a time with that many seconds between; `endless` streams chunks until the client goes away.
    Each request's path and headers are kept in `requests`.
    """

    def __init__(self):
        self.routes: dict[str, dict] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                time.sleep(route.get("delay", 0))
                etag = route.get("etag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                body = route.get("body", b"")
                self.send_response(route.get("status", 200))
                for key, value in route.get("headers", {}).items():
                    self.send_header(key, value)
                if etag:
                    self.send_header("ETag", etag)
                if route.get("endless"):
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"X" * 65536)
                    except OSError:
                        return
                self.send_header("Content-Type", route.get("content_type", "text/calendar"))
                if "Content-Length" not in route.get("headers", {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if route.get("drip"):
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(route["drip"])
                    else:
                        self.wfile.write(body)
                except OSError:
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    with FeedServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _private_hosts_allowed(settings):
    """The feed server runs on loopback; a test of the guard turns this off again."""
    settings.EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def base():
    return spring_base()


@pytest.fixture
def resource(db):
    return BookingPolicyFactory().resource


@pytest.fixture
def manager(resource):
    return FacilityManagerFactory(facility=resource.facility).user
