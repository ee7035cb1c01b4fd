import re

import pytest
from django.test import Client, RequestFactory

from booking.models import Booking, BookingPolicy, Closure, Qualification
from core.navigation import RESOURCE_ROW, nav_items_for, panels_for
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ServiceOrderFactory
from tests.factories import PASSWORD, CategoryFactory, ContactPersonFactory, FacilityManagerFactory
from tests.helpers import datetime_local

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_find_free_capacity_page_lists_resources_with_a_book_link():
    category = CategoryFactory()
    policy = BookingPolicyFactory()
    policy.resource.facility.categories.add(category)
    response = Client().get(
        "/capacity/", {"category": category.pk, "start": days_ahead(3).date().isoformat(), "days": 7, "hours": 4}
    )
    assert response.status_code == 200
    assert policy.resource.name in response.content.decode()
    assert f"/resources/{policy.resource.pk}/book/" in response.content.decode()


def test_pick_a_slot_and_book_it(resource, company_user):
    client = logged_in(company_user)
    page = client.get(f"/resources/{resource.pk}/book/", {"week": days_ahead(3).date().isoformat()})
    assert page.status_code == 200 and "ledig" in page.content.decode()
    response = client.post(
        f"/resources/{resource.pk}/book/",
        {"start": datetime_local(days_ahead(3, 10)), "end": datetime_local(days_ahead(3, 12)), "activity": "economic",
         "access_model": "rental", "purpose": "Test"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/bookings/mine/"
    assert Booking.objects.get().user == company_user


def test_a_taken_slot_shows_alternatives_on_the_page(resource, company_user, other_user):
    BookingFactory(resource=resource, user=other_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    response = logged_in(company_user).post(
        f"/resources/{resource.pk}/book/",
        {"start": datetime_local(days_ahead(3, 10)), "end": datetime_local(days_ahead(3, 12)), "activity": "economic",
         "access_model": "rental"},
    )  # fmt: skip
    assert response.status_code == 409
    body = response.content.decode()
    assert "Tiden er allerede tatt" in body and other_user.email not in body


def test_one_click_books_a_nearby_alternative_with_the_same_details(resource, company_user, other_user):
    """A taken slot answers with the nearest free times, each a button that books it at once, keeping the access
    model and purpose the person gave."""
    BookingFactory(resource=resource, user=other_user, start=days_ahead(3, 10), end=days_ahead(3, 12))
    client = logged_in(company_user)
    refused = client.post(
        f"/resources/{resource.pk}/book/",
        {"start": datetime_local(days_ahead(3, 10)), "end": datetime_local(days_ahead(3, 12)),
         "access_model": "service", "purpose": "Prøver fra uke 12"},
    )  # fmt: skip
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "data-slot aria-current" not in body  # the taken time is not shown as this person's choice
    forms = re.findall(r'<ul class="alternatives">.*?</ul>', body, re.S)[0].split("<li>")[1:]
    assert len(forms) >= 2
    first = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', forms[0]))
    assert first["purpose"] == "Prøver fra uke 12" and first["access_model"] == "service"
    assert re.search(r"<button[^>]*>Bestill [^<]+</button>", forms[0])
    booked = client.post(f"/resources/{resource.pk}/book/", first)
    assert booked.status_code == 302 and booked["Location"] == "/bookings/mine/"
    booking = Booking.objects.get(user=company_user)
    assert booking.purpose == "Prøver fra uke 12" and booking.access_model == "service"
    assert datetime_local(booking.start) == first["start"] and booking.start != days_ahead(3, 10)


def test_my_bookings_with_cancel(resource, company_user, django_assert_max_num_queries):
    for day in range(3, 9):
        BookingFactory(resource=resource, user=company_user, start=days_ahead(day, 10), end=days_ahead(day, 12))
        ServiceOrderFactory(resource=resource, user=company_user)
    client = logged_in(company_user)
    # Session, user, the menu's role checks (screener, manager, admin), demo banner, the bookings, the service
    # orders: none per row.
    with django_assert_max_num_queries(10):
        page = client.get("/bookings/mine/")
    assert page.content.decode().count("Avbestill") == 6
    booking = Booking.objects.first()
    client.post(f"/bookings/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_manager_queue_shows_age_and_approves_in_bulk(company_user, django_assert_max_num_queries):
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    ids = [
        BookingFactory(resource=policy.resource, user=company_user, status="pending", start=days_ahead(3, h),
                       end=days_ahead(3, h + 1)).pk
        for h in (8, 10, 12)
    ]  # fmt: skip
    client = logged_in(manager)
    with django_assert_max_num_queries(10):
        page = client.get("/bookings/queue/")
    assert page.status_code == 200 and page.content.decode().count('name="ids"') == 3
    client.post("/bookings/queue/", {"ids": ids[:2], "decision": "approve"})
    assert sorted(Booking.objects.values_list("status", flat=True)) == ["confirmed", "confirmed", "pending"]
    assert logged_in(company_user).get("/bookings/queue/").status_code == 403


def test_manager_edits_policy_closures_and_qualifications(resource, company_user):
    manager = FacilityManagerFactory(facility=resource.facility).user
    client = logged_in(manager)
    assert client.get(f"/resources/{resource.pk}/calendar-settings/").status_code == 200
    data = {
        "section": "policy", "policy-slot_minutes": 15, "policy-min_length_minutes": 15,
        "policy-max_length_minutes": 240, "policy-min_notice_minutes": 0, "policy-max_advance_days": 90,
        "policy-buffer_minutes": 30, "policy-requires_approval": "on", "policy-cancellation_deadline_hours": 24,
        "policy-approval_deadline_hours": 48, "hours-TOTAL_FORMS": 0, "hours-INITIAL_FORMS": 0,
    }  # fmt: skip
    assert client.post(f"/resources/{resource.pk}/calendar-settings/", data).status_code == 302
    policy = BookingPolicy.objects.get(resource=resource)
    assert (policy.buffer_minutes, policy.requires_approval) == (30, True)
    client.post(
        f"/resources/{resource.pk}/calendar-settings/",
        {"section": "closure", "closure-kind": "preparedness", "closure-start": datetime_local(days_ahead(5, 8)),
         "closure-end": datetime_local(days_ahead(5, 16)), "closure-internal_note": "Beredskap"},
    )  # fmt: skip
    assert Closure.objects.get(resource=resource).kind == "preparedness"
    client.post(
        f"/resources/{resource.pk}/calendar-settings/",
        {"section": "qualification", "qualification-email": company_user.email},
    )
    assert Qualification.objects.filter(user=company_user, resource=resource).exists()
    assert logged_in(company_user).get(f"/resources/{resource.pk}/calendar-settings/").status_code == 403


def test_resource_row_panel_has_week_calendar_and_training_link(company_user):
    policy = BookingPolicyFactory(requires_qualification=True)
    request = RequestFactory().get("/")
    request.user = company_user
    panels = panels_for(RESOURCE_ROW, request, policy.resource)
    assert len(panels) == 1
    context = panels[0]["context"]
    assert context["needs_training"] is True and len(context["week"]) == 7


def test_request_training_page_names_the_contact(resource):
    ContactPersonFactory(facility=resource.facility, name="Kari Kontakt", email="kari@example.org")
    page = Client().get(f"/resources/{resource.pk}/training/")
    assert "Kari Kontakt" in page.content.decode() and "mailto:kari@example.org" in page.content.decode()


def test_nav_items_by_role(resource):
    from django.contrib.auth.models import AnonymousUser

    anonymous = [item["url"] for item in nav_items_for(AnonymousUser())]
    assert "/capacity/" in anonymous and "/bookings/mine/" not in anonymous
    manager = FacilityManagerFactory(facility=resource.facility).user
    assert "/bookings/queue/" in [item["url"] for item in nav_items_for(manager)]


def test_feeds_page_shows_and_renews_the_private_address(company_user):
    client = logged_in(company_user)
    first = client.get("/bookings/feeds/").content.decode()
    client.post("/bookings/feeds/")
    second = client.get("/bookings/feeds/").content.decode()
    assert "/calendar/private/" in first and first != second


def test_login_is_needed_to_book(resource):
    response = Client().post(f"/resources/{resource.pk}/book/", {})
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert PASSWORD


def test_rejecting_in_the_queue_asks_for_a_reason(company_user):
    """Approve and reject are different buttons (reject in the danger style), and a rejection without a reason is
    refused on the reason field, with nothing decided."""
    policy = BookingPolicyFactory(requires_approval=True)
    manager = FacilityManagerFactory(facility=policy.resource.facility).user
    booking = BookingFactory(resource=policy.resource, user=company_user, status="pending")
    client = logged_in(manager)
    page = client.get("/bookings/queue/").content.decode()
    assert re.search(r'<button type="submit" name="decision" value="reject" class="danger secondary">', page)
    assert "Nødvendig for å avslå" in page
    refused = client.post("/bookings/queue/", {"ids": [booking.pk], "decision": "reject", "reason": " "})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    booking.refresh_from_db()
    assert booking.status == "pending"
    client.post("/bookings/queue/", {"ids": [booking.pk], "decision": "reject", "reason": "På service."})
    booking.refresh_from_db()
    assert booking.status == "rejected" and booking.decision_reason == "På service."
