"""What booking adds to pages and checks owned by other apps (registered in BookingConfig.ready())."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from booking import policies, selectors, services
from booking.services.rules import proposed_booking_refusal
from calendars import selectors as calendar_selectors
from catalogue import roles
from core.navigation import (
    FACILITY_MANAGE,
    RESOURCE_ROW,
    NavItem,
    Panel,
    register_nav_item,
    register_panel,
    register_result_facts,
)
from core.references import BOOKING_PROPOSAL, register_reference_check


def resource_row_panel(request, resource):
    """A week calendar with free slots to pick, the book link and, where training is needed, how to get it."""
    if resource is None:
        return None
    week_start = selectors.week_start(request.GET.get("week"))
    built = request.__dict__.setdefault("_booking_resource_rows", {})
    key = (resource.facility_id, week_start)
    if key not in built:
        # The facility page lists all its resources: their panels are built together on the first row, so that
        # the page costs the same number of queries for two resources or forty.
        built[key] = _resource_rows(request, list(resource.facility.resources.all()), week_start)
    if resource.pk not in built[key]:  # not one of its facility's listed resources
        built[key].update(_resource_rows(request, [resource], week_start))
    return built[key].get(resource.pk)


def _resource_rows(request, resources, week_start) -> dict:
    from booking.views import week_calendars

    user = getattr(request, "user", None)
    bookable = [resource for resource in resources if resource.bookable]
    prefetch_related_objects(bookable, "booking_policy__opening_hours")
    # Only what is offered to the user is shown (the same rule as booking it); a resource booked in the facility's
    # local system shows its free time with a link there.
    bookable = [resource for resource in bookable if services.offer_refusal(resource, user) is None]
    needing_training = [resource for resource in bookable if resource.booking_policy.requires_qualification]
    qualified = (
        selectors.qualified_resource_ids(user, needing_training, week_start)
        if needing_training and roles.is_authenticated(user)
        else set()
    )
    can_manage: dict[int, bool] = {}  # the policy looks at the resource's facility only: asked once per facility
    for resource in bookable:
        if resource.facility_id not in can_manage:
            can_manage[resource.facility_id] = policies.can_manage_calendar(user, resource)
    managed = {resource.pk for resource in bookable if can_manage[resource.facility_id]}
    weeks = week_calendars(bookable, user, week_start, sources_for=managed)
    feeds = calendar_selectors.feed_status_of([resource.pk for resource in bookable]) if bookable else {}
    rows = {}
    for resource in bookable:
        policy = resource.booking_policy
        rows[resource.pk] = {
            "resource": resource,
            "policy": policy,
            "week": weeks[resource.pk],
            "next_free": next((i["start"] for day in weeks[resource.pk] for i in day["intervals"] if i["free"]), None),
            "needs_training": policy.requires_qualification and resource.pk not in qualified,
            "can_manage": can_manage[resource.facility_id],
            "booked_locally": policy.booked_in_local_system,
            "local_link": selectors.local_booking_link(policy) if policy.booked_in_local_system else "",
            "feed_status": feeds.get(resource.pk),
        }
    return rows


def facility_manage_panel(request, facility):
    if facility is None or not policies.can_see_facility_bookings(request.user, facility):
        return None
    resources = list(facility.resources.filter(bookable=True))
    pending = selectors.pending_queue(request.user).filter(resource__facility=facility).count()
    return {"facility": facility, "resources": resources, "pending": pending}


def register() -> None:
    register_nav_item(NavItem(label=_("Find free capacity"), url_name="booking:find_capacity", order=20))
    register_result_facts(search_result_facts, order=30)
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
    register_reference_check(BOOKING_PROPOSAL, proposed_booking_refusal)


def search_result_facts(request, facilities) -> dict[int, list[dict]]:
    """How each search result is booked: at once, by request (a manager approves), or by contacting it; and where it
    can be booked, its next free time for the person looking (selectors.next_free_times). Two queries for the whole
    page."""
    from booking.models import BookingPolicy
    from core.formatting import datetime_text

    policies_found = BookingPolicy.objects.filter(
        resource__facility__in=[facility.pk for facility in facilities],
        resource__is_active=True, resource__bookable=True, booked_in_local_system=False,
    ).values_list("resource__facility_id", "requires_approval")  # fmt: skip
    ways: dict[int, set[bool]] = {}
    for facility_id, requires_approval in policies_found:
        ways.setdefault(facility_id, set()).add(requires_approval)
    user = getattr(request, "user", None)
    next_free = selectors.next_free_times(facility_ids=list(ways), user=user) if ways else {}
    now_badge = {"text": _("Bookable now"), "css": "badge ok"}
    request_badge = {"text": _("Book by request"), "css": "badge pending"}
    agreement_badge = {"text": _("By agreement with the contact person"), "css": "badge"}
    none_free = {
        "text": _("No free time in the next %(days)d days") % {"days": selectors.NEXT_FREE_DAYS},
        "css": "next-free",
    }
    free_at: dict = {}  # the results of a page often share their next free time (the next opening)
    facts = {}
    for facility in facilities:
        found = ways.get(facility.pk)
        if not found:
            facts[facility.pk] = [agreement_badge]
            continue
        moment = next_free.get(facility.pk)
        if moment is not None and moment not in free_at:
            free_at[moment] = {
                "text": _("Next free time: %(moment)s") % {"moment": datetime_text(moment)},
                "css": "next-free",
            }
        facts[facility.pk] = [now_badge if False in found else request_badge, free_at[moment] if moment else none_free]
    return facts
