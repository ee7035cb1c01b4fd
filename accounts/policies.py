"""Policies of accounts: what a person may do before their e-mail address is verified or their MFA is set up."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.choices import MembershipRole
from catalogue import roles


class AccountPermissionDenied(PermissionDenied):
    """A refusal that says why: the API answers 403 with `{"detail": ..., "code": ...}` (DRF passes the argument
    on as the body), the portal's 403 page shows the message."""

    message = ""
    code = "permission_denied"

    def __init__(self):
        super().__init__({"detail": self.message, "code": self.code})

    def __str__(self):
        return str(self.message)


class EmailUnverified(AccountPermissionDenied):
    message = _(
        "Verify your e-mail address first: open the link in the e-mail we sent you, or ask for a new one on your "
        "profile page."
    )
    code = "email_unverified"


class MfaSetupRequired(AccountPermissionDenied):
    message = _("Administrators must set up two-factor authentication first: do so on your profile page.")
    code = "mfa_setup_required"


def require_verified_email(user) -> bool:
    """True for a signed-in person whose e-mail address is verified; EmailUnverified (403 saying how to verify) for
    a signed-in person whose address is not; False for everybody else, whom the calling policy refuses anyway.

    Booking, sending a request as oneself and getting an API token all wait for a verified address.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if not selectors.email_verified(user):
        raise EmailUnverified
    return True


def can_decide_affiliation(user, affiliation) -> bool:
    """An admin of the claimed institution, or a platform admin, approves or refuses a person's affiliation."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, affiliation.institution_id)


def can_view_affiliation(user, affiliation) -> bool:
    """The person who claims it, and those who decide it; to anybody else it does not exist (404)."""
    return roles.is_authenticated(user) and (
        affiliation.user_id == user.pk or can_decide_affiliation(user, affiliation)
    )


def can_manage_institution_domains(user, institution) -> bool:
    """An admin of the institution, or a platform admin, registers and removes the institution's domains."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, institution)


def can_view_affiliations(user, institution) -> bool:
    """Who sees an institution's affiliation claims and their history: the same people who decide them."""
    return roles.is_platform_admin(user) or roles.is_institution_admin(user, institution)


def is_platform_admin(user) -> bool:
    return roles.is_platform_admin(user)


def is_organisation_admin(user, organisation) -> bool:
    membership = selectors.membership_of(user, organisation)
    return membership is not None and membership.is_approved and membership.role == MembershipRole.ADMIN


def can_act_for_organisation(user, organisation) -> bool:
    """Only an approved member books, sends requests or is quoted on the organisation's account."""
    membership = selectors.membership_of(user, organisation)
    return membership is not None and membership.is_approved


def can_decide_membership(user, membership) -> bool:
    """The first member of an organisation is approved by a platform admin (an organisation without an approved
    admin has nobody else); later members by its approved admins or a platform admin. Nobody decides their own."""
    if not roles.is_authenticated(user) or membership.user_id == user.pk:
        return False
    return roles.is_platform_admin(user) or is_organisation_admin(user, membership.organisation)


def can_change_membership_role(user, membership) -> bool:
    """Make an approved member an organisation admin, or an admin a member again: the organisation's admins or a
    platform admin, never for themselves."""
    if not roles.is_authenticated(user) or membership.user_id == user.pk:
        return False
    return roles.is_platform_admin(user) or is_organisation_admin(user, membership.organisation)


def can_view_organisation(user, organisation) -> bool:
    """Approved members see the organisation's page and members; platform admins see every one."""
    return roles.is_platform_admin(user) or can_act_for_organisation(user, organisation)


def knows_organisation(user, organisation) -> bool:
    """Whoever has a membership of the organisation in any state (it is in their list) and platform admins; to
    anybody else the organisation does not exist (404)."""
    return roles.is_platform_admin(user) or selectors.membership_of(user, organisation) is not None


def can_view_membership(user, membership) -> bool:
    """The member, and those who see the organisation's members; to anybody else it does not exist (404)."""
    return roles.is_authenticated(user) and (
        membership.user_id == user.pk or can_view_organisation(user, membership.organisation)
    )


def can_recheck_organisation(user, organisation) -> bool:
    """A platform admin or the organisation's admin asks Brønnøysundregistrene again."""
    return roles.is_platform_admin(user) or is_organisation_admin(user, organisation)


def can_manage_cluster_members(user, cluster) -> bool:
    """Add and remove a cluster's or TTO's member companies: its approved admins and platform admins."""
    return roles.is_platform_admin(user) or is_organisation_admin(user, cluster)


def can_view_cluster_member(user, member) -> bool:
    """The people of the cluster and of the member company (and platform admins) know the membership; to anybody
    else it does not exist (404)."""
    return can_view_organisation(user, member.cluster) or can_view_organisation(user, member.company)


def can_decide_cluster_sharing(user, member) -> bool:
    """Whether a cluster follows a member company's requests is the company's to decide: its approved admins (and
    platform admins, on its behalf)."""
    return roles.is_platform_admin(user) or is_organisation_admin(user, member.company)
