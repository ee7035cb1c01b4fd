"""Accounts e-mails, each in its recipient's language, through core's outbox (registered in AccountsConfig.ready).

- A claim to belong to an institution waits: its admins hear of it (platform admins when it has none).
- A membership of an organisation waits: its approved admins hear of it (platform admins for a first member).
- The person hears the decision on their claim or membership.
- A company added as a member of a cluster or TTO: its admins hear of it and decide whether it may follow the
  company's requests.
Each renderer reads the row as it is at send time and sends nothing once it is no longer waiting (or decided).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.choices import AffiliationState, MembershipRole, MembershipState
from accounts.models import Affiliation, ClusterMember, OrganisationMembership, User
from catalogue.choices import InstitutionRoleKind
from core.outbox import email_kind_register

AFFILIATION_WAITING = "accounts.affiliation_waiting"  # object id: the Affiliation
AFFILIATION_DECIDED = "accounts.affiliation_decided"  # object id: the Affiliation
MEMBERSHIP_WAITING = "accounts.membership_waiting"  # object id: the OrganisationMembership
MEMBERSHIP_DECIDED = "accounts.membership_decided"  # object id: the OrganisationMembership
CLUSTER_MEMBER_ADDED = "accounts.cluster_member_added"  # object id: the ClusterMember


def platform_admins() -> list[User]:
    return list(User.objects.filter(is_active=True, is_staff=True).exclude(email="").order_by("pk"))


def affiliation_approvers(affiliation: Affiliation) -> list[User]:
    """The institution's active admins; the platform admins when it has none, so that a claim never waits unseen."""
    admins = list(
        User.objects.filter(
            is_active=True,
            institution_roles__institution_id=affiliation.institution_id,
            institution_roles__role=InstitutionRoleKind.ADMIN,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return admins or platform_admins()


def membership_approvers(membership: OrganisationMembership) -> list[User]:
    """The organisation's approved admins; the platform admins for a first member (or an organisation without
    an active admin)."""
    admins = list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=membership.organisation_id,
            memberships__state=MembershipState.APPROVED,
            memberships__role=MembershipRole.ADMIN,
        )
        .exclude(pk=membership.user_id)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return admins or platform_admins()


def message(user: User, template: str, context: dict) -> EmailMessage:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**context, "recipient": user}
        subject = render_to_string(f"accounts/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/emails/{template}.txt", context)
    return EmailMessage(subject, body, to=[user.email])


def affiliation_waiting_messages(affiliation_id: int, payload: dict) -> list[EmailMessage]:
    affiliation = Affiliation.objects.select_related("user", "institution").filter(pk=affiliation_id).first()
    if affiliation is None or affiliation.state != AffiliationState.PENDING:
        return []
    url = settings.SITE_URL + reverse("accounts:affiliations", args=[affiliation.institution_id])
    context = {"affiliation": affiliation, "url": url}
    return [message(user, "affiliation_waiting", context) for user in affiliation_approvers(affiliation)]


def affiliation_decided_messages(affiliation_id: int, payload: dict) -> list[EmailMessage]:
    affiliation = Affiliation.objects.select_related("user", "institution").filter(pk=affiliation_id).first()
    if affiliation is None or affiliation.state == AffiliationState.PENDING or not affiliation.user.is_active:
        return []
    context = {"affiliation": affiliation, "url": settings.SITE_URL + reverse("accounts:profile")}
    return [message(affiliation.user, "affiliation_decided", context)]


def membership_waiting_messages(membership_id: int, payload: dict) -> list[EmailMessage]:
    membership = (
        OrganisationMembership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    )
    if membership is None or membership.state != MembershipState.PENDING:
        return []
    context = {"membership": membership, "url": settings.SITE_URL + reverse("accounts:organisations")}
    return [message(user, "membership_waiting", context) for user in membership_approvers(membership)]


def membership_decided_messages(membership_id: int, payload: dict) -> list[EmailMessage]:
    membership = (
        OrganisationMembership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    )
    if membership is None or membership.state == MembershipState.PENDING or not membership.user.is_active:
        return []
    context = {"membership": membership, "url": settings.SITE_URL + reverse("accounts:organisations")}
    return [message(membership.user, "membership_decided", context)]


def organisation_admins(organisation_id: int) -> list[User]:
    """The organisation's active, approved admins with an e-mail address; the platform admins when it has none (a
    company registered by a cluster before any of its people joined), so that someone decides for it."""
    admins = list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__state=MembershipState.APPROVED,
            memberships__role=MembershipRole.ADMIN,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    return admins or platform_admins()


def cluster_member_added_messages(member_id: int, payload: dict) -> list[EmailMessage]:
    member = ClusterMember.objects.select_related("cluster", "company").filter(pk=member_id).first()
    if member is None or member.shares_requests:
        return []
    url = settings.SITE_URL + reverse("accounts:organisation", args=[member.company_id])
    context = {"member": member, "url": url}
    return [message(user, "cluster_member_added", context) for user in organisation_admins(member.company_id)]


def register() -> None:
    email_kind_register(AFFILIATION_WAITING, affiliation_waiting_messages)
    email_kind_register(AFFILIATION_DECIDED, affiliation_decided_messages)
    email_kind_register(MEMBERSHIP_WAITING, membership_waiting_messages)
    email_kind_register(MEMBERSHIP_DECIDED, membership_decided_messages)
    email_kind_register(CLUSTER_MEMBER_ADDED, cluster_member_added_messages)
