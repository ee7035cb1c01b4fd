"""Messages: a message set before a redirect is shown on the next page, once; a request that sets none stores
none."""

import pytest
from django.contrib.messages import get_messages

from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_message_set_before_a_redirect_is_shown_on_the_next_page(client):
    user = UserFactory()
    booking = BookingFactory(
        resource=BookingPolicyFactory().resource, user=user, start=days_ahead(10, 10), end=days_ahead(10, 12)
    )
    client.force_login(user)
    response = client.post(f"/bookings/{booking.pk}/cancel/", {"next": "/bookings/mine/"}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Bestillingen er avbestilt."]
    assert [str(m) for m in get_messages(client.get("/bookings/mine/").wsgi_request)] == []  # shown once


def test_a_request_that_uses_no_messages_stores_none(client):
    user = UserFactory()
    client.force_login(user)
    session_before = dict(client.session)
    response = client.get("/api/v1/bookings/")
    assert response.status_code == 200
    assert "messages" not in response.cookies and dict(client.session) == session_before
