"""Permission policies for booking: one function per action, used by pages and the API alike."""

from accounts.policies import require_verified_email
from booking.models import Booking, ServiceOrder
from catalogue import roles
from catalogue.models import Facility, Resource


def can_book(user, resource: Resource | None = None) -> bool:
    """Any signed-in, active user with a verified e-mail address may request a booking. Whether this resource can
    be booked by them is the booking guard's answer (booking.services.rules.resource_bookability), then the booking
    rules'."""
    return roles.is_authenticated(user) and require_verified_email(user)  # unverified e-mail: 403 saying so


def can_view_booking(user, booking: Booking) -> bool:
    """The person who booked, and those who manage the facility."""
    if not roles.is_authenticated(user):
        return False
    return booking.user_id == user.pk or roles.can_manage_facility(user, booking.resource.facility)


def can_decide_booking(user, booking: Booking) -> bool:
    """Approve or reject a pending request: the facility's managers."""
    return roles.can_manage_facility(user, booking.resource.facility)


def can_cancel_booking(user, booking: Booking) -> bool:
    """The person who booked (late cancellations are charged) and the facility's managers."""
    if not roles.is_authenticated(user):
        return False
    return booking.user_id == user.pk or roles.can_manage_facility(user, booking.resource.facility)


def can_move_booking(user, booking: Booking) -> bool:
    return roles.can_manage_facility(user, booking.resource.facility)


def can_complete_booking(user, booking: Booking) -> bool:
    """Record that a booking took place: the facility's managers."""
    return roles.can_manage_facility(user, booking.resource.facility)


def can_mark_no_show(user, booking: Booking) -> bool:
    """Record that the user did not turn up: the facility's managers."""
    return roles.can_manage_facility(user, booking.resource.facility)


def can_adjust_use(user, booking: Booking) -> bool:
    """Record the time actually used (it is priced again): the facility's managers."""
    return roles.can_manage_facility(user, booking.resource.facility)


def can_manage_calendar(user, resource: Resource) -> bool:
    """Edit a resource's booking policy, closures and qualifications."""
    return roles.can_manage_facility(user, resource.facility)


def can_see_facility_bookings(user, facility: Facility) -> bool:
    """Who booked what at a facility, its request queue and its private feed."""
    return roles.can_manage_facility(user, facility)


def can_see_queue(user) -> bool:
    return bool(roles.managed_facility_ids(user))


def can_view_service_order(user, order: ServiceOrder) -> bool:
    """The person who ordered, and those who keep the facility (its managers, institution admins, platform admins)."""
    if not roles.is_authenticated(user):
        return False
    return order.user_id == user.pk or roles.can_manage_facility(user, order.resource.facility)


def can_deliver_service_order(user, order: ServiceOrder) -> bool:
    """Mark staff-run work delivered (it becomes chargeable): those who keep the facility."""
    return roles.can_manage_facility(user, order.resource.facility)


def can_cancel_service_order(user, order: ServiceOrder) -> bool:
    """Cancel staff-run work not yet delivered (never charged): those who keep the facility."""
    return roles.can_manage_facility(user, order.resource.facility)
