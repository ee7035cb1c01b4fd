"""What accounting adds to pages other apps own: the menu entry and the state-aid panels (AccountingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from accounting import policies, selectors
from catalogue import roles
from core.navigation import DASHBOARD, FACILITY_MANAGE, NavItem, Panel, register_nav_item, register_panel


def facility_state_aid_panel(request, facility):
    """On the manager's page of a facility: this year's state-aid shares of its resources."""
    if facility is None or not policies.can_view_facility_accounts(request.user, facility):
        return None
    year = selectors.current_year()
    shares = selectors.state_aid_shares(resources=selectors.resources_of_facilities([facility.id]), year=year)
    return {
        "year": year,
        "shares": shares,
        "facility": facility,
        "has_alert": any(s.level == selectors.LEVEL_ALERT for s in shares),
        "has_warning": any(s.level == selectors.LEVEL_WARNING for s in shares),
        "warning_percent": selectors.percent_text(selectors.thresholds()[0]),
        "alert_percent": selectors.percent_text(selectors.thresholds()[1]),
    }


def dashboard_state_aid_panel(request, obj=None):
    """On the dashboard of managers and admins: resources at or above the warning line this year, if any."""
    facility_ids = roles.managed_facility_ids(request.user)
    if not facility_ids:
        return None
    year = selectors.current_year()
    shares = [
        share
        for share in selectors.state_aid_shares(resources=selectors.resources_of_facilities(facility_ids), year=year)
        if share.level in (selectors.LEVEL_WARNING, selectors.LEVEL_ALERT)
    ]
    if not shares:
        return None
    return {
        "year": year,
        "shares": shares,
        "has_alert": any(s.level == selectors.LEVEL_ALERT for s in shares),
        "warning_percent": selectors.percent_text(selectors.thresholds()[0]),
        "alert_percent": selectors.percent_text(selectors.thresholds()[1]),
    }


def register() -> None:
    """The menu entry "Accounting" and the state-aid panels on the facility manager's page and the dashboard."""
    register_nav_item(
        NavItem(label=_("Accounting"), url_name="accounting:index", order=80, visible=policies.can_see_accounting_menu)
    )
    register_panel(
        FACILITY_MANAGE, Panel(template_name="accounting/panel_facility.html", build=facility_state_aid_panel)
    )
    register_panel(DASHBOARD, Panel(template_name="accounting/panel_dashboard.html", build=dashboard_state_aid_panel))
