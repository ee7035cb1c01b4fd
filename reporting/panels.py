"""What the statistics add to pages other apps own: the menu entry, and on a facility's manager page the links
to its usage reports (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounting.selectors import current_year
from core.navigation import FACILITY_MANAGE, NavItem, Panel, register_nav_item, register_panel
from reporting import policies


def facility_usage_panel(request, facility):
    """Links to the yearly usage report of the facility and of each of its resources."""
    if facility is None or not policies.can_view_usage_report(request.user, facility):
        return None
    return {"facility": facility, "resources": list(facility.resources.order_by("name")), "year": current_year()}


def register() -> None:
    register_nav_item(NavItem(label=_("Statistics"), url_name="reporting:statistics", order=60))
    register_panel(FACILITY_MANAGE, Panel(template_name="reporting/panel_facility.html", build=facility_usage_panel))
