"""Fetching a feed over HTTP: a timeout for the whole answer, a size limit, conditional requests, and only public
addresses (core.net, as for webhooks). No database here."""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from calendars.choices import FeedErrorCode
from calendars.ical import FeedError
from core.net import host_is_public

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Labtorget-Calendar-Sync/1"


@dataclass(frozen=True)
class Fetched:
    """A feed's answer: its body (empty when `not_modified`) and the validators to send next time."""

    body: bytes
    etag: str
    last_modified: str
    not_modified: bool = False


def normalise_url(url: str) -> str:
    """A `webcal://` address (the calendar subscription scheme) is fetched as https; others are kept."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in ("webcal", "webcals"):
        return urlunsplit(("https", *parts[1:]))
    return url


def feed_fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float,
    max_bytes: int,
    allow_private: bool,
) -> Fetched:
    """GET the feed; FeedError when it cannot be had within `timeout` seconds (for the whole answer, not per read),
    is larger than `max_bytes`, answers an error status or points (also after a redirect) at a private address."""
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _hop in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise FeedError(FeedErrorCode.UNREACHABLE, f"unsupported address {url[:100]!r}")
        if not host_is_public(url, allow_private=allow_private):
            raise FeedError(FeedErrorCode.NOT_PUBLIC, urlsplit(url).hostname or "")
        remaining = max(deadline - time.monotonic(), 0.1)
        try:
            response = requests.get(url, headers=headers, timeout=remaining, stream=True, allow_redirects=False)
        except requests.Timeout:
            raise FeedError(FeedErrorCode.TIMEOUT, f"no answer within {timeout:g} s") from None
        except requests.RequestException as error:
            raise FeedError(FeedErrorCode.UNREACHABLE, str(error)) from None
        with response:
            if response.is_redirect and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status_code == 304:
                return Fetched(b"", etag, last_modified, not_modified=True)
            if response.status_code != 200:
                raise FeedError(FeedErrorCode.HTTP_STATUS, f"HTTP {response.status_code} {response.reason or ''}")
            body = _read(response, deadline=deadline, timeout=timeout, max_bytes=max_bytes)
            headers = response.headers
            return Fetched(body, headers.get("ETag", "")[:300], headers.get("Last-Modified", "")[:100])
    raise FeedError(FeedErrorCode.UNREACHABLE, f"more than {MAX_REDIRECTS} redirects")


def _read(response, *, deadline: float, timeout: float, max_bytes: int) -> bytes:
    too_large = FeedError(FeedErrorCode.TOO_LARGE, f"more than {max_bytes} bytes")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    # A server that trickles its answer never trips the read timeout (each read gets a little); closing the
    # answer at the deadline ends the read that waits.
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), response.close)
    watchdog.daemon = True
    watchdog.start()
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
    except (requests.RequestException, OSError, AttributeError, ValueError) as error:
        if time.monotonic() >= deadline:
            raise FeedError(FeedErrorCode.TIMEOUT, f"the answer took longer than {timeout:g} s") from None
        code = FeedErrorCode.TIMEOUT if isinstance(error, requests.Timeout) else FeedErrorCode.UNREACHABLE
        raise FeedError(code, str(error)) from None
    finally:
        watchdog.cancel()
    if time.monotonic() >= deadline:  # the close may end the read as an ordinary end of the answer
        raise FeedError(FeedErrorCode.TIMEOUT, f"the answer took longer than {timeout:g} s")
    return b"".join(chunks)
