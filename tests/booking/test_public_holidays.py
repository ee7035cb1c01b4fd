"""A manager closes a resource on Norway's public holidays in one step; nobody can then book those days, the
availability and the week calendar show them closed, and the days around them stay open."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from booking import selectors, services
from booking.models import Booking, Closure
from booking.views import week_calendar
from core.errors import DomainError
from core.working_days import public_holidays
from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityManagerFactory, UserFactory
from tests.helpers import OSLO

pytestmark = pytest.mark.django_db


def _next_holiday() -> tuple[datetime.date, str]:
    """The first public holiday at least two days ahead, whatever today is (one always falls within a year)."""
    today = timezone.localdate()
    return public_holidays(today + datetime.timedelta(days=2), today + datetime.timedelta(days=366))[0]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=OSLO)


def _manager_client(resource):
    client = Client()
    client.force_login(FacilityManagerFactory(facility=resource.facility).user)
    return client


def test_the_holidays_of_a_year_in_bokmal_and_english():
    christmas = public_holidays(datetime.date(2026, 12, 1), datetime.date(2027, 1, 31))
    assert christmas == [
        (datetime.date(2026, 12, 25), "Første juledag"),
        (datetime.date(2026, 12, 26), "Andre juledag"),
        (datetime.date(2027, 1, 1), "Første nyttårsdag"),
    ]  # Christmas Eve and New Year's Eve are not public holidays; ordinary Sundays are not listed
    may_17 = datetime.date(2027, 5, 17)
    assert public_holidays(may_17, may_17, language="en") == [(may_17, "Constitution Day; Pentecost Monday")]
    assert len(public_holidays(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))) == 11
    assert public_holidays(datetime.date(2027, 1, 2), datetime.date(2027, 3, 24)) == []


def test_a_manager_closes_the_public_holidays_once_and_again_adds_nothing():
    resource = BookingPolicyFactory().resource
    client = _manager_client(resource)
    url = f"/resources/{resource.pk}/calendar-settings/"
    response = client.post(url, {"section": "public_holidays"}, follow=True, HTTP_ACCEPT_LANGUAGE="nb")
    closures = list(Closure.objects.filter(resource=resource))
    today = timezone.localdate()
    expected = public_holidays(today, today + datetime.timedelta(days=366))
    assert [(c.start.astimezone(OSLO).date(), c.internal_note) for c in closures] == expected
    assert all(c.kind == "public_holiday" for c in closures)
    for closure in closures:  # from local midnight to the next (23 hours on Easter Sunday when the clocks change)
        start, end = closure.start.astimezone(OSLO), closure.end.astimezone(OSLO)
        assert start.time() == end.time() == datetime.time()
        assert end.date() == start.date() + datetime.timedelta(days=1)
    assert f"{len(expected)} public holidays closed" in response.content.decode() or (
        f"{len(expected)} helligdager stengt" in response.content.decode()
    )
    again = client.post(url, {"section": "public_holidays"}, follow=True)
    assert Closure.objects.filter(resource=resource).count() == len(expected)
    assert "already closed" in again.content.decode() or "allerede stengt" in again.content.decode()


def test_a_holiday_the_manager_removed_comes_back_only_when_asked_and_only_that_one():
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility).user
    services.public_holiday_closures_create(resource=resource, actor=manager)
    first = Closure.objects.filter(resource=resource).first()
    services.closure_delete(closure=first, actor=manager)
    added = services.public_holiday_closures_create(resource=resource, actor=manager)
    assert [closure.start for closure in added] == [first.start]


def test_only_the_facilitys_managers_may_close_the_holidays():
    resource = BookingPolicyFactory().resource
    with pytest.raises(PermissionDenied):
        services.public_holiday_closures_create(resource=resource, actor=UserFactory())
    other = BookingPolicyFactory().resource
    with pytest.raises(PermissionDenied):
        services.public_holiday_closures_create(
            resource=resource, actor=FacilityManagerFactory(facility=other.facility).user
        )
    assert not Closure.objects.exists()
    outsider = Client()
    outsider.force_login(UserFactory())
    response = outsider.post(f"/resources/{resource.pk}/calendar-settings/", {"section": "public_holidays"})
    assert response.status_code == 403
    assert not Closure.objects.exists()


def _closed_on_holidays(**policy) -> tuple:
    """A resource its manager has closed on the public holidays, the next holiday, a company user and their API
    client."""
    resource = BookingPolicyFactory(**policy).resource
    services.public_holiday_closures_create(
        resource=resource, actor=FacilityManagerFactory(facility=resource.facility).user
    )
    user = UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    return resource, _next_holiday()[0], user, client


def test_nobody_books_a_closed_holiday_and_the_day_after_stays_open():
    resource, holiday, _user, client = _closed_on_holidays()
    body = {"resource": resource.pk, "activity": "economic", "access_model": "rental"}
    refused = client.post(
        "/api/v1/bookings/", {**body, "start": _at(holiday, 10).isoformat(), "end": _at(holiday, 12).isoformat()},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 409 and refused.json()["code"] == "unavailable"
    assert all(_at(holiday, 0) >= datetime.datetime.fromisoformat(a["end"])
               or datetime.datetime.fromisoformat(a["start"]) >= _at(holiday + datetime.timedelta(days=1), 0)
               for a in refused.json()["alternatives"])  # fmt: skip
    assert not Booking.objects.exists()
    after = holiday + datetime.timedelta(days=1)
    while public_holidays(after, after):
        after += datetime.timedelta(days=1)
    booked = client.post(
        "/api/v1/bookings/", {**body, "start": _at(after, 10).isoformat(), "end": _at(after, 12).isoformat()},
        format="json",
    )  # fmt: skip
    assert booked.status_code == 201, booked.content


def test_the_availability_and_the_week_calendar_show_the_holiday_closed():
    resource, holiday, user, client = _closed_on_holidays()
    answer = client.get(
        f"/api/v1/resources/{resource.pk}/availability/",
        {"start": _at(holiday, 0).isoformat(), "end": _at(holiday + datetime.timedelta(days=1), 0).isoformat()},
    ).json()
    assert answer["free"] == [] and answer["busy"]
    week = week_calendar(resource, user, holiday - datetime.timedelta(days=holiday.weekday()))
    day = next(day for day in week if day["date"] == holiday)
    assert not [interval for interval in day["intervals"] if interval["free"]]
    other_days = [d for d in week if d["date"] > timezone.localdate() + datetime.timedelta(days=1)
                  and not public_holidays(d["date"], d["date"])]  # fmt: skip
    assert all(any(i["free"] for i in d["intervals"]) for d in other_days)


def test_the_demo_register_closes_its_resources_on_public_holidays():
    from booking.demo import give_demo_resources_calendars
    from tests.factories import ResourceFactory

    resource = ResourceFactory()
    give_demo_resources_calendars(resources=[resource])
    today = timezone.localdate()
    assert Closure.objects.filter(resource=resource, kind="public_holiday").count() == len(
        public_holidays(today, today + datetime.timedelta(days=366))
    )


def test_the_free_capacity_search_finds_the_first_free_time_after_the_holiday():
    resource, holiday, _user, _client = _closed_on_holidays(min_notice_minutes=0)
    windows = selectors.free_capacity_windows(
        start=_at(holiday, 0), end=_at(holiday + datetime.timedelta(days=3), 0), duration=datetime.timedelta(hours=2)
    )
    window = next(w for w in windows if w.resource.pk == resource.pk)
    assert window.start >= _at(holiday + datetime.timedelta(days=1), 0)


def test_pressed_on_christmas_eve_it_closes_this_christmas_through_next_christmas(monkeypatch):
    """The coming year: from today through a year and a day ahead, so both Christmas Days are closed."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 12, 24))
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility).user
    closures = services.public_holiday_closures_create(resource=resource, actor=manager)
    days = [closure.start.astimezone(OSLO).date() for closure in closures]
    assert days[0] == datetime.date(2026, 12, 25) and days[-1] == datetime.date(2027, 12, 25)
    assert len(days) == 12  # 25 and 26 Dec 2026, and 2027's up to 25 Dec (17 May is also Whit Monday that year)
    assert all(closure.created_by == manager for closure in Closure.objects.filter(resource=resource))


def test_the_notes_are_in_the_managers_language():
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility, user__language="en").user
    client = Client()
    client.force_login(manager)
    client.post(f"/resources/{resource.pk}/calendar-settings/", {"section": "public_holidays"},
                HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    notes = set(Closure.objects.filter(resource=resource).values_list("internal_note", flat=True))
    assert "Christmas Day" in notes
    assert "Første juledag" not in notes


def test_each_resource_gets_its_own_holidays_and_other_closures_do_not_count():
    first, second = BookingPolicyFactory().resource, BookingPolicyFactory().resource
    holiday, _name = _next_holiday()
    manager = FacilityManagerFactory(facility=second.facility).user
    # The second resource's maintenance starts at the holiday's midnight: the holiday is still closed as one.
    services.closure_create(resource=second, actor=manager, kind="maintenance", start=_at(holiday, 0),
                            end=_at(holiday, 12), internal_note="Service")  # fmt: skip
    services.public_holiday_closures_create(resource=first, actor=FacilityManagerFactory(facility=first.facility).user)
    added = services.public_holiday_closures_create(resource=second, actor=manager)
    assert len(added) == Closure.objects.filter(resource=first).count()
    assert _at(holiday, 0) in {closure.start for closure in added}


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_closure_that_ends_before_it_starts_is_refused_at_its_end(minutes):
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility).user
    start = _at(timezone.localdate() + datetime.timedelta(days=5), 10)
    with pytest.raises(DomainError) as refused:
        services.closure_create(resource=resource, actor=manager, kind="maintenance", start=start,
                                end=start + datetime.timedelta(minutes=minutes))  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("end", "end_before_start")
    assert not Closure.objects.exists()
    client = Client()
    client.force_login(manager)
    page = client.post(
        f"/resources/{resource.pk}/calendar-settings/",
        {"section": "closure", "closure-kind": "maintenance", "closure-start": start.strftime("%Y-%m-%dT%H:%M"),
         "closure-end": (start + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert page.status_code == 200 and "The end must be after the start." in page.content.decode()
    assert 'id="id_closure-end"' in page.content.decode() and 'aria-invalid="true"' in page.content.decode()
    assert not Closure.objects.exists()


def test_a_closure_keeps_its_note_and_who_made_it():
    resource = BookingPolicyFactory().resource
    manager = FacilityManagerFactory(facility=resource.facility).user
    start = _at(timezone.localdate() + datetime.timedelta(days=5), 10)
    end = start + datetime.timedelta(hours=2)
    closure = services.closure_create(
        resource=resource, actor=manager, kind="maintenance", start=start, end=end, internal_note="Bytte av laser"
    )
    assert Closure.objects.get() == closure
    assert (closure.internal_note, closure.created_by) == ("Bytte av laser", manager)
