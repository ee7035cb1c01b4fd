"""Outgoing HTTP from inside the platform: which addresses it may call.

Webhooks (intake) and external calendar feeds (calendars) fetch URLs that users typed. A URL pointing at
localhost, the private network or the cloud metadata address would let a user make the server call internal
services, so both refuse a host unless every address it resolves to is a public one.
"""

import ipaddress
import socket
from urllib.parse import urlsplit


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
