"""Who may do what with a booking: a matrix of role x ownership."""

import pytest

from booking import policies
from tests.booking.factories import BookingFactory
from tests.factories import FacilityManagerFactory, InstitutionRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIONS = {
    "view": policies.can_view_booking,
    "decide": policies.can_decide_booking,
    "cancel": policies.can_cancel_booking,
    "move": policies.can_move_booking,
    "complete": policies.can_complete_booking,
}

# role -> the actions it may take on a booking
EXPECTED = {
    "anonymous": set(),
    "owner": {"view", "cancel"},
    "other_user": set(),
    "facility_manager": {"view", "decide", "cancel", "move", "complete"},
    "manager_elsewhere": set(),
    "institution_admin": {"view", "decide", "cancel", "move", "complete"},
    "platform_admin": {"view", "decide", "cancel", "move", "complete"},
}


def user_for(role, booking):
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "owner":
        return booking.user
    if role == "other_user":
        return UserFactory()
    if role == "facility_manager":
        return FacilityManagerFactory(facility=booking.resource.facility).user
    if role == "manager_elsewhere":
        return FacilityManagerFactory().user
    if role == "institution_admin":
        return InstitutionRoleFactory(institution=booking.resource.facility.institution, role="admin").user
    if role == "platform_admin":
        return UserFactory(is_staff=True)
    raise AssertionError(role)


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("action", ACTIONS)
def test_booking_policy_matrix(role, action):
    booking = BookingFactory()
    user = user_for(role, booking)
    assert ACTIONS[action](user, booking) is (action in EXPECTED[role])


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("anonymous", False), ("other_user", False), ("facility_manager", True), ("institution_admin", True)],
)
def test_calendar_settings_and_queue(role, allowed):
    booking = BookingFactory()
    user = user_for(role, booking)
    assert policies.can_manage_calendar(user, booking.resource) is allowed
    assert policies.can_see_queue(user) is allowed


def test_anyone_signed_in_may_book_but_not_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert policies.can_book(UserFactory()) and not policies.can_book(AnonymousUser())
