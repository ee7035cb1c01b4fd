"""Who may see the separate accounts: state-aid shares, revenue split, invoice basis and EHF invoices.

One function per action, used by pages and API alike. The figures of a facility are for those who keep it
(its managers, the admins of its institution, platform admins); an institution's figures for its admins and
platform admins.
"""

from django.http import Http404

from accounting import selectors
from catalogue import policies as catalogue_policies
from catalogue import roles
from catalogue.models import Facility, Institution
from core.policies import require, require_visible


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


def accounts_scope_for(user, *, kind: str, pk: int) -> selectors.AccountsScope:
    """The accounts a page or API call asks for: Http404 if there is no such facility or institution, or the
    facility is a draft the user may not see; PermissionDenied (403) unless `user` may see the accounts."""
    try:
        scope = selectors.accounts_scope(kind=kind, pk=pk)
    except (Facility.DoesNotExist, Institution.DoesNotExist) as missing:
        raise Http404 from missing
    if scope.facility is not None:
        require_visible(catalogue_policies.can_view_facility, user, scope.facility)
        require(can_view_facility_accounts, user, scope.facility)
    else:
        require(can_view_institution_accounts, user, scope.institution)
    return scope
