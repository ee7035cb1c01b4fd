"""What accounts adds to pages other apps own: the menu entry "My organisations", the dashboard panel that tells a
person whose affiliation is not verified why they pay external prices and how to get verified, and the one that
shows institution admins the claims waiting for them."""

from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.choices import AffiliationState, UserKind
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


def acts_for_organisations(user) -> bool:
    """Company users, and platform admins (who approve first members), see "My organisations" in the menu."""
    return roles.is_authenticated(user) and (user.kind == UserKind.COMPANY or user.is_staff)


def affiliation_admin_panel(request, obj=None):
    """On the dashboard of institution and platform admins: how many affiliation claims wait, with the link."""
    user = request.user
    if not decides_affiliations(user):
        return None
    return {"waiting": selectors.affiliations_waiting_count(user)}


def register() -> None:
    register_nav_item(
        NavItem(
            label=_("My organisations"), url_name="accounts:organisations", order=84, visible=acts_for_organisations
        )
    )
    register_panel(DASHBOARD, Panel(template_name="accounts/panel_affiliation.html", build=affiliation_panel, order=5))
    register_panel(
        DASHBOARD, Panel(template_name="accounts/panel_affiliation_admin.html", build=affiliation_admin_panel, order=6)
    )
