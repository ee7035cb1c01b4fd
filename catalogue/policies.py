"""Permission policies for the catalogue: one function per action, used by pages and API alike."""

from catalogue import roles
from catalogue.models import Facility, Institution


def can_view_facility(user, facility: Facility) -> bool:
    """Published entries are public; drafts only to those who keep them."""
    return facility.is_published or roles.can_manage_facility(user, facility)


def can_edit_facility(user, facility: Facility) -> bool:
    """Edit the entry, its contacts and resources."""
    return roles.can_manage_facility(user, facility)


def can_publish_facility(user, facility: Facility) -> bool:
    return roles.can_manage_facility(user, facility)


def can_create_facility(user, institution: Institution) -> bool:
    """New facilities are created by the institution's admins (and platform admins)."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, institution)


def can_manage_institution(user, institution: Institution) -> bool:
    """Edit the institution page, appoint managers and screeners, see statistics."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, institution)


def can_verify_facility(user, facility: Facility) -> bool:
    """Confirm the entry is up to date (one click on the dashboard or the manager page)."""
    return roles.can_manage_facility(user, facility)
