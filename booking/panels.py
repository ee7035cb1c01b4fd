"""What booking adds to pages owned by the catalogue (registered in BookingConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from booking import policies, selectors
from catalogue import roles
from config.navigation import FACILITY_MANAGE, RESOURCE_ROW, NavItem, Panel, register_nav_item, register_panel


def resource_row_panel(request, resource):
    """A week calendar with free slots to pick, the book link and, where training is needed, how to get it."""
    from booking.views import _week_start, week_calendar

    policy = getattr(resource, "booking_policy", None) if resource is not None else None
    if policy is None or not resource.bookable:
        return None
    user = getattr(request, "user", None)
    needs_training = policy.requires_qualification and not (
        roles.is_authenticated(user) and selectors.has_valid_qualification(user, resource, _week_start(request))
    )
    return {
        "resource": resource,
        "policy": policy,
        "week": week_calendar(resource, user, _week_start(request)),
        "needs_training": needs_training,
        "can_manage": policies.can_manage_calendar(user, resource),
    }


def facility_manage_panel(request, facility):
    if facility is None or not policies.can_see_facility_bookings(request.user, facility):
        return None
    resources = list(facility.resources.filter(bookable=True))
    pending = selectors.pending_queue(request.user).filter(resource__facility=facility).count()
    return {"facility": facility, "resources": resources, "pending": pending}


def register() -> None:
    register_nav_item(NavItem(label=_("Find free capacity"), url_name="booking:find_capacity", order=20))
    register_nav_item(
        NavItem(label=_("My bookings"), url_name="booking:my_bookings", order=60, visible=roles.is_authenticated)
    )
    register_nav_item(
        NavItem(label=_("Booking requests"), url_name="booking:queue", order=70, visible=policies.can_see_queue)
    )
    register_nav_item(
        NavItem(
            label=_("Bookings at my facilities"),
            url_name="booking:facility_bookings",
            order=71,
            visible=policies.can_see_queue,
        )
    )
    register_panel(RESOURCE_ROW, Panel("booking/panels/resource_row.html", resource_row_panel, order=20))
    register_panel(FACILITY_MANAGE, Panel("booking/panels/facility_manage.html", facility_manage_panel, order=20))
