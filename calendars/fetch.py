"""Fetching a feed over HTTP: a timeout for the whole answer, a size limit, conditional requests, https only, and
only public addresses, checked for each redirect and pinned for each connection (core.net, as for webhooks). No
database here."""

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3

from calendars.choices import FeedErrorCode
from calendars.ical import FeedError
from core.net import AddressNotPublic, host_is_public, outgoing_session, scheme_is_allowed

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
    is larger than `max_bytes`, answers an error status, or points (also after a redirect) at a private address
    or at plain http (unless `allow_private`)."""
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with outgoing_session(allow_private=allow_private) as session:
        for _hop in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise FeedError(FeedErrorCode.UNREACHABLE, f"unsupported address {url[:100]!r}")
            if not host_is_public(url, allow_private=allow_private):
                raise FeedError(FeedErrorCode.NOT_PUBLIC, urlsplit(url).hostname or "")
            if not scheme_is_allowed(url, allow_private=allow_private):
                raise FeedError(FeedErrorCode.NOT_HTTPS, url[:100])
            remaining = max(deadline - time.monotonic(), 0.1)
            try:
                response = session.get(url, headers=headers, timeout=remaining, stream=True, allow_redirects=False)
            except AddressNotPublic:
                # The name answered a public address to the check and a private one when connecting (DNS rebinding).
                raise FeedError(FeedErrorCode.NOT_PUBLIC, urlsplit(url).hostname or "") from None
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
    if declared.isdecimal() and int(declared) > max_bytes:
        raise too_large
    too_slow = FeedError(FeedErrorCode.TIMEOUT, f"the answer took longer than {timeout:g} s")
    chunks, size = [], 0
    try:
        # read1 answers with what has arrived (at most one read of the socket), so a server that trickles its
        # answer is cut at the deadline; each read still waits at most the read timeout.
        while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise too_slow
            chunks.append(chunk)
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        if time.monotonic() >= deadline or isinstance(error, (requests.Timeout, urllib3.exceptions.TimeoutError)):
            raise too_slow from None
        raise FeedError(FeedErrorCode.UNREACHABLE, str(error)) from None
    return b"".join(chunks)
