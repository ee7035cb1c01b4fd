"""Who may do what in booking: every role against every action, asked of the policies, of the write services (the
one layer that enforces them) and, for a few actions, of the web pages and the API, which must give the same
answer."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from booking import policies, services
from booking.models import Booking
from catalogue.choices import InstitutionRoleKind
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingFactory, BookingPolicyFactory, ClosureFactory
from tests.factories import (
    AcademicUserFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    ResourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "owner",  # the company user who made the booking
    "company_user",
    "academic_own_institution",
    "academic_other_institution",
    "facility_manager",
    "manager_elsewhere",
    "screener",
    "institution_admin",
    "admin_elsewhere",
    "platform_admin",
    "inactive_manager",  # a manager of this facility whose account is closed
]
KEEPERS = {"facility_manager", "institution_admin", "platform_admin"}  # who keep this facility
SIGNED_IN = set(ROLES) - {"anonymous", "inactive_manager"}

# action -> the roles allowed to take it on the booking, its resource or its facility
EXPECTED = {
    "book": SIGNED_IN,
    "view": KEEPERS | {"owner"},
    "cancel": KEEPERS | {"owner"},
    "decide": KEEPERS,
    "move": KEEPERS,
    "complete": KEEPERS,
    "manage_calendar": KEEPERS,
    "see_facility_bookings": KEEPERS,
    "see_queue": KEEPERS | {"manager_elsewhere", "admin_elsewhere"},
}


class World:
    """Two institutions with a facility each; a booking by a company user on a resource of the first."""

    def __init__(self):
        self.institution = InstitutionFactory()
        self.other_institution = InstitutionFactory()
        self.facility = FacilityFactory(institution=self.institution)
        self.other_facility = FacilityFactory(institution=self.other_institution)
        self.policy = BookingPolicyFactory(resource=ResourceFactory(facility=self.facility))
        self.resource = self.policy.resource
        self.owner = UserFactory(company_name="Biotek AS")
        self.booking = BookingFactory(
            resource=self.resource, user=self.owner, start=days_ahead(5, 10), end=days_ahead(5, 12)
        )

    def user(self, role):
        if role == "anonymous":
            return AnonymousUser()
        if role == "owner":
            return self.owner
        if role == "company_user":
            return UserFactory()
        if role == "academic_own_institution":
            return AcademicUserFactory(institution=self.institution)
        if role == "academic_other_institution":
            return AcademicUserFactory(institution=self.other_institution)
        if role == "facility_manager":
            return FacilityManagerFactory(facility=self.facility).user
        if role == "manager_elsewhere":
            return FacilityManagerFactory(facility=self.other_facility).user
        if role == "screener":
            return InstitutionRoleFactory(institution=self.institution, role=InstitutionRoleKind.SCREENER).user
        if role == "institution_admin":
            return InstitutionRoleFactory(institution=self.institution, role=InstitutionRoleKind.ADMIN).user
        if role == "admin_elsewhere":
            return InstitutionRoleFactory(institution=self.other_institution, role=InstitutionRoleKind.ADMIN).user
        if role == "platform_admin":
            return UserFactory(is_staff=True)
        if role == "inactive_manager":
            return FacilityManagerFactory(facility=self.facility, user__is_active=False).user
        raise AssertionError(role)


@pytest.fixture
def world(db):
    return World()


POLICY_OF = {
    "book": lambda user, w: policies.can_book(user, w.resource),
    "view": lambda user, w: policies.can_view_booking(user, w.booking),
    "cancel": lambda user, w: policies.can_cancel_booking(user, w.booking),
    "decide": lambda user, w: policies.can_decide_booking(user, w.booking),
    "move": lambda user, w: policies.can_move_booking(user, w.booking),
    "complete": lambda user, w: policies.can_complete_booking(user, w.booking),
    "manage_calendar": lambda user, w: policies.can_manage_calendar(user, w.resource),
    "see_facility_bookings": lambda user, w: policies.can_see_facility_bookings(user, w.facility),
    "see_queue": lambda user, w: policies.can_see_queue(user),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", EXPECTED)
def test_the_policy_matrix(role, action, world):
    assert POLICY_OF[action](world.user(role), world) is (role in EXPECTED[action])


# --- the write services enforce the same answers -----------------------------------------------------------------


def _pending(world):
    world.booking.status = "pending"
    world.booking.save()
    return world.booking


def _past(world):
    world.booking.start, world.booking.end = days_ahead(-2, 10), days_ahead(-2, 12)
    world.booking.save()
    return world.booking


WRITES = {
    "book": lambda user, w: services.booking_create(
        resource=w.resource,
        user=user,
        start=days_ahead(6, 10),
        end=days_ahead(6, 12),
        access_model="rental",
    ),  # fmt: skip
    "book_series": lambda user, w: services.booking_series_create(
        resource=w.resource,
        user=user,
        start=days_ahead(6, 10),
        end=days_ahead(6, 12),
        frequency="weekly",
        count=2,
        access_model="rental",
    ),  # fmt: skip
    "cancel": lambda user, w: services.booking_cancel(booking=w.booking, actor=user),
    "approve": lambda user, w: services.booking_approve(booking=_pending(w), actor=user),
    "reject": lambda user, w: services.booking_reject(booking=_pending(w), actor=user, reason="Fullt"),
    "decide": lambda user, w: services.bookings_decide(booking_ids=[_pending(w).pk], actor=user, approve=True),
    "move": lambda user, w: services.booking_move(
        booking=w.booking, actor=user, start=days_ahead(7, 10), end=days_ahead(7, 12)
    ),
    "complete": lambda user, w: services.booking_complete(booking=_past(w), actor=user),
    "closure_create": lambda user, w: services.closure_create(
        resource=w.resource, actor=user, kind="maintenance", start=days_ahead(9, 8), end=days_ahead(9, 12)
    ),
    "closure_delete": lambda user, w: services.closure_delete(closure=ClosureFactory(resource=w.resource), actor=user),
    "policy_save": lambda user, w: services.booking_policy_save(
        policy=w.policy, opening_hours=[(0, datetime.time(8), datetime.time(16))], actor=user
    ),
    "qualification_grant": lambda user, w: services.qualification_grant(user=w.owner, resource=w.resource, actor=user),
    "facility_feed_renew": lambda user, w: services.feed_token_renew(user=user, facility=w.facility),
}
WRITE_ALLOWED = {
    "book": SIGNED_IN,
    "book_series": SIGNED_IN,
    "cancel": EXPECTED["cancel"],
    "approve": EXPECTED["decide"],
    "reject": EXPECTED["decide"],
    "decide": EXPECTED["decide"],
    "move": EXPECTED["move"],
    "complete": EXPECTED["complete"],
    "closure_create": EXPECTED["manage_calendar"],
    "closure_delete": EXPECTED["manage_calendar"],
    "policy_save": EXPECTED["manage_calendar"],
    "qualification_grant": EXPECTED["manage_calendar"],
    "facility_feed_renew": EXPECTED["see_facility_bookings"],
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", WRITES)
def test_each_write_service_refuses_whom_its_policy_refuses(role, action, world):
    user = world.user(role)
    if role in WRITE_ALLOWED[action]:
        WRITES[action](user, world)
    else:
        with pytest.raises(PermissionDenied):
            WRITES[action](user, world)


# --- the web page and the API give the same answer ---------------------------------------------------------------

SAMPLE_ROLES = [
    "owner",
    "company_user",
    "facility_manager",
    "manager_elsewhere",
    "institution_admin",
    "inactive_manager",
]


def _web(user) -> Client:
    client = Client()
    if user.is_active:
        client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _allowed_web(response) -> bool:
    """Refused: 403 to whoever sees the booking, 404 (as a missing one) to anybody else, or sent to log in."""
    assert response.status_code in (200, 302, 403, 404), response.status_code
    return response.status_code not in (403, 404) and "/accounts/" not in response.get("Location", "")


def _allowed_api(response) -> bool:
    """Refused as on the page; in a bulk decision a booking the caller may not see is an unknown id (400)."""
    assert response.status_code in (200, 400, 401, 403, 404), response.status_code
    return response.status_code == 200


@pytest.mark.parametrize("role", SAMPLE_ROLES)
def test_cancelling_gives_the_same_answer_on_the_page_and_the_api(role, world):
    user = world.user(role)
    second = BookingFactory(resource=world.resource, user=world.owner, start=days_ahead(8, 10), end=days_ahead(8, 12))
    on_page = _allowed_web(_web(user).post(f"/bookings/{world.booking.pk}/cancel/"))
    on_api = _allowed_api(_api(user).post(f"/api/v1/bookings/{second.pk}/cancel/", {}, format="json"))
    assert on_page is on_api is (role in EXPECTED["cancel"])
    cancelled = set(Booking.objects.filter(status="cancelled").values_list("pk", flat=True))
    assert cancelled == ({world.booking.pk, second.pk} if on_page else set())


@pytest.mark.parametrize("role", SAMPLE_ROLES)
def test_moving_gives_the_same_answer_on_the_page_and_the_api(role, world):
    user = world.user(role)
    form = {"action": "move", "move-start": days_ahead(7, 10).strftime("%Y-%m-%dT%H:%M"),
            "move-end": days_ahead(7, 12).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    on_page = _allowed_web(_web(user).post(f"/bookings/{world.booking.pk}/", form))  # the owner sees it, may not move
    world.booking.refresh_from_db()
    moved_by_page = world.booking.start == days_ahead(7, 10)
    body = {"start": days_ahead(8, 10).isoformat(), "end": days_ahead(8, 12).isoformat()}
    on_api = _allowed_api(_api(user).post(f"/api/v1/bookings/{world.booking.pk}/move/", body, format="json"))
    assert on_page is on_api is moved_by_page is (role in EXPECTED["move"])


@pytest.mark.parametrize("role", SAMPLE_ROLES)
def test_approving_gives_the_same_answer_one_at_a_time_and_in_bulk_on_the_api(role, world):
    user = world.user(role)
    _pending(world)
    second = BookingFactory(
        resource=world.resource, user=world.owner, status="pending", start=days_ahead(8, 10), end=days_ahead(8, 12)
    )
    one = _allowed_api(_api(user).post(f"/api/v1/bookings/{world.booking.pk}/approve/", {}, format="json"))
    bulk = _allowed_api(
        _api(user).post("/api/v1/bookings/decide/", {"ids": [second.pk], "decision": "approve"}, format="json")
    )
    assert one is bulk is (role in EXPECTED["decide"])


@pytest.mark.parametrize(("booked_by_the_manager", "status"), [(True, 403), (False, 400)])
def test_a_refused_bulk_decision_changes_none(world, booked_by_the_manager, status):
    """One booking the manager may see but not decide (their own, elsewhere) makes the whole decision a 403; one
    they may not see is an unknown id (400 naming `ids`, as a missing one); either way nothing is approved."""
    manager = world.user("facility_manager")
    elsewhere = BookingFactory(
        resource=BookingPolicyFactory().resource, status="pending", start=days_ahead(8, 10), end=days_ahead(8, 12),
        **({"user": manager} if booked_by_the_manager else {}),
    )  # fmt: skip
    mine = _pending(world)
    response = _api(manager).post(
        "/api/v1/bookings/decide/", {"ids": [mine.pk, elsewhere.pk], "decision": "approve"}, format="json"
    )
    assert response.status_code == status
    assert set(Booking.objects.values_list("status", flat=True)) == {"pending"}
