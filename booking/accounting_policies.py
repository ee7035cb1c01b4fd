"""Who may see the separate accounts: state-aid shares, revenue split, invoice basis and EHF invoices.

One function per action, used by pages and API alike. The figures of a facility are for those who keep it
(its managers, the admins of its institution, platform admins); an institution's figures for its admins and
platform admins.
"""

from catalogue import roles
from catalogue.models import Facility, Institution


def can_view_facility_accounts(user, facility: Facility) -> bool:
    """State-aid shares, revenue split, invoice basis and EHF invoices of one facility."""
    return roles.can_manage_facility(user, facility)


def can_view_institution_accounts(user, institution: Institution) -> bool:
    """The same figures for every facility of an institution."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, institution)


def can_see_accounting_menu(user) -> bool:
    """The menu entry: anyone who manages at least one facility or administers an institution."""
    if not roles.is_authenticated(user):
        return False
    if user.is_staff:
        return True
    return roles.manages_any_facility(user) or bool(roles.admin_institution_ids(user))
