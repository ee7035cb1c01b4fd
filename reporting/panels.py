"""What the statistics add to pages other apps own: the menu entry (core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem, register_nav_item


def register() -> None:
    register_nav_item(NavItem(label=_("Statistics"), url_name="reporting:statistics", order=60))
