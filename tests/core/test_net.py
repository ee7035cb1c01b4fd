"""Outgoing HTTP to users' URLs (core.net): only public addresses, and exactly the address that was checked."""

import pytest
import requests

from core.net import AddressNotPublic, host_is_public, outgoing_session, scheme_is_allowed
from tests.core.rebinding import PUBLIC_ADDRESS, Listener, rebinding_resolver


def test_a_name_that_rebinds_to_a_private_address_after_the_check_is_never_connected_to(monkeypatch):
    with Listener() as listener:
        answered = rebinding_resolver(monkeypatch, "calendar.rebind.example")
        url = f"https://calendar.rebind.example:{listener.port}/feed.ics"
        assert host_is_public(url)  # the check sees the public address
        with outgoing_session() as session, pytest.raises(AddressNotPublic):
            session.get(url, timeout=2)
    assert answered == [PUBLIC_ADDRESS, "127.0.0.1"]
    assert listener.accepted == 0


def test_with_private_hosts_allowed_the_session_reaches_a_local_server():
    with Listener() as listener, outgoing_session(allow_private=True) as session:
        with pytest.raises(requests.ConnectionError):  # the listener hangs up without answering
            session.get(f"http://127.0.0.1:{listener.port}/", timeout=2)
    assert listener.accepted == 1


@pytest.mark.parametrize(
    ("url", "allow_private", "allowed"),
    [
        ("https://calendar.example.org/feed.ics", False, True),
        ("http://calendar.example.org/feed.ics", False, False),
        ("HTTPS://calendar.example.org/feed.ics", False, True),
        ("ftp://calendar.example.org/feed.ics", False, False),
        ("http://127.0.0.1:8000/feed.ics", True, True),
        ("ftp://127.0.0.1/feed.ics", True, False),
    ],
)
def test_only_https_is_called_unless_private_hosts_are_allowed(url, allow_private, allowed):
    assert scheme_is_allowed(url, allow_private=allow_private) is allowed
