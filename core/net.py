"""Outgoing HTTP from inside the platform: which addresses it may call, and a session that calls only those.

Webhooks (intake) and external calendar feeds (calendars) fetch URLs that users typed. A URL pointing at
localhost, the private network or the cloud metadata address would let a user make the server call internal
services, so both refuse a host unless every address it resolves to is a public one (`host_is_public`, when the
URL is given and before each call).

That check alone is not enough: the HTTP client resolves the name again when it connects, and a name whose DNS
answer changes between the two (DNS rebinding) would reach a private address after passing the check. So every
call goes through `outgoing_session`, which resolves the name once per connection, refuses a private address
there, and connects to exactly the address it checked, with the Host header, TLS SNI and certificate check for
the real name. The connection layer is requests-hardened's IP filter (maintained by Saleor for its webhooks), so
the pinning, SNI and certificate handling are a kept library's, not ours.

Only https is called in production: a feed's address often carries a secret token (Google's and Outlook's do),
and a webhook carries the request's data. Plain http:// is accepted only where private hosts are (tests, the
demo, development).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress

# The error an `outgoing_session` call raises when the address the name resolves to at connection time is not a
# public one (a requests.RequestException).
AddressNotPublic = InvalidIPAddress


def host_is_public(url: str, *, allow_private: bool = False) -> bool:
    """Whether every address the URL's host resolves to is a public (global) one.

    `allow_private` (a setting of the caller's, for development, tests and the demo) accepts any host that has a
    name. A host that does not resolve is not public.
    """
    host = urlsplit(url).hostname
    if not host:
        return False
    if allow_private:
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses)


def scheme_is_allowed(url: str, *, allow_private: bool = False) -> bool:
    """https always; plain http only where private hosts are allowed (tests, the demo, development)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme == "https" or (allow_private and scheme == "http")


def outgoing_session(*, allow_private: bool = False) -> requests.Session:
    """A session for URLs users typed: each connection goes to the one address the name resolved to when it was
    made, refused (AddressNotPublic) unless public; redirects are never followed (a caller that follows one checks
    the next address itself); proxies and credentials from the environment are ignored.

    With `allow_private` (tests, the demo) nothing is refused, but the rest is the same."""
    if allow_private:
        session = requests.Session()
    else:
        session = HTTPSession(
            Config(ip_filter_enable=True, ip_filter_allow_loopback_ips=False, never_redirect=True, default_timeout=None)
        )
    session.trust_env = False  # no HTTP(S)_PROXY, .netrc or CA bundle from the environment for a user's URL
    return session
