"""What accounts adds to pages other apps own: the menu entry for affiliation claims and the dashboard panel that
tells a person whose affiliation is not verified why they pay external prices and how to get verified."""

from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.choices import AffiliationState
from catalogue import roles
from core.navigation import DASHBOARD, NavItem, Panel, register_nav_item, register_panel


def decides_affiliations(user) -> bool:
    return roles.is_platform_admin(user) or bool(roles.admin_institution_ids(user))


def affiliation_panel(request, obj=None):
    """On the dashboard: the person's claim that is waiting or refused, with what it means and what to do."""
    affiliation = selectors.affiliation_of(request.user)
    if affiliation is None or affiliation.state == AffiliationState.VERIFIED:
        return None
    return {"affiliation": affiliation}


def register() -> None:
    register_nav_item(
        NavItem(
            label=_("Affiliations"),
            url_name="accounts:affiliation_institutions",
            order=85,
            visible=decides_affiliations,
        )
    )
    register_panel(DASHBOARD, Panel(template_name="accounts/panel_affiliation.html", build=affiliation_panel, order=5))
