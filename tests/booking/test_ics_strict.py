"""The feeds and attachments as a strict RFC 5545 reader sees them: CRLF line ends, lines folded at 75 octets,
VERSION and PRODID once, and UID, DTSTAMP (UTC) and DTSTART in every event."""

import re

import pytest
from django.test import Client

from booking import ics, services
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory
from tests.factories import FacilityManagerFactory

pytestmark = pytest.mark.django_db

LONG_PURPOSE = "Måling av proteiner i 200 prøver fra en klinisk studie – æøå " * 6


def strict_check(body: bytes) -> list[str]:
    """Unfold and return the content lines, asserting what strict clients insist on."""
    assert body.endswith(b"\r\n")
    raw_lines = body.split(b"\r\n")[:-1]
    for line in raw_lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, (len(line), line)
    text = body.decode("utf-8")
    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert [line for line in lines if line.startswith("VERSION:")] == ["VERSION:2.0"]
    assert len([line for line in lines if line.startswith("PRODID:")]) == 1
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current.append(line)
    for event in events:
        names = [line.split(":", 1)[0].split(";", 1)[0] for line in event]
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert names.count(required) == 1, (required, event)
        stamp = next(line for line in event if line.startswith("DTSTAMP"))
        assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", stamp), stamp
        for name in ("DTSTART", "DTEND"):
            value = next(line for line in event if line.startswith(name))
            assert re.fullmatch(rf"{name}:\d{{8}}T\d{{6}}Z", value), value
    return lines


def test_public_feed_is_strict(resource, company_user):
    BookingFactory(resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    BookingFactory(resource=resource, start=days_ahead(4, 10), end=days_ahead(4, 12), status="cancelled")
    lines = strict_check(Client().get(f"/calendar/resources/{resource.pk}.ics").content)
    assert lines.count("BEGIN:VEVENT") == 2


def test_private_and_facility_feeds_are_strict_with_long_folded_text(resource, company_user):
    BookingFactory(
        resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), purpose=LONG_PURPOSE
    )
    token = services.feed_token_get(user=company_user)
    lines = strict_check(Client().get(f"/calendar/private/{token.token}.ics").content)
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert "æøå" in description
    manager = FacilityManagerFactory(facility=resource.facility).user
    facility_token = services.feed_token_get(user=manager, facility=resource.facility)
    strict_check(Client().get(f"/calendar/private/{facility_token.token}.ics").content)


def test_empty_feed_still_parses(resource):
    strict_check(Client().get(f"/calendar/resources/{resource.pk}.ics").content)


@pytest.mark.parametrize("status", ["confirmed", "cancelled"])
def test_email_attachment_is_strict(resource, company_user, status):
    booking = BookingFactory(
        resource=resource, user=company_user, start=days_ahead(3, 10), end=days_ahead(3, 12), status=status,
        purpose=LONG_PURPOSE,
    )  # fmt: skip
    lines = strict_check(ics.booking_attachment(booking))
    assert ("METHOD:CANCEL" in lines) == (status == "cancelled")
