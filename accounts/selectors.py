"""Reads for accounts: whether an address is verified, whether MFA is on or required, Feide claims, API tokens,
verified affiliations."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from accounts.choices import CLUSTER_KINDS, AffiliationState, MembershipRole, MembershipState, UserKind
from accounts.models import (
    Affiliation,
    AffiliationEvent,
    ApiToken,
    ClusterMember,
    InstitutionDomain,
    Organisation,
    OrganisationMembership,
    User,
)
from catalogue import roles
from catalogue.models import Institution

FEIDE_PROVIDER_ID = "feide"
# Where Feide puts the person's home organisation (its realm, e.g. "uio.no"): the extended user info's claim, else
# the part after "@" of the Feide name (eduPersonPrincipalName).
FEIDE_ORGANISATION_CLAIMS = ("schacHomeOrganization", "https://n.feide.no/claims/schacHomeOrganization")
FEIDE_PRINCIPAL_CLAIMS = ("eduPersonPrincipalName", "https://n.feide.no/claims/eduPersonPrincipalName")


def verified_primary_email_exists(user_ref) -> Exists:
    """An `Exists` expression for "this user's primary e-mail address is verified", to annotate a query with."""
    return Exists(EmailAddress.objects.filter(user_id=user_ref, primary=True, verified=True))


def email_verified(user) -> bool:
    """Whether the person's primary e-mail address is verified (allauth's EmailAddress, verified and primary).

    A new account must verify its address before it may book, send a request as itself or get an API token. The
    answer is kept on the user object for the rest of the request (`primary_email_verified`); the API token
    authentication reads it together with the token, so that the booking API pays no extra query for it.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    known = getattr(user, "primary_email_verified", None)
    if known is None:
        known = EmailAddress.objects.filter(user_id=user.pk, primary=True, verified=True).exists()
        user.primary_email_verified = known
    return known


def holds_admin_role(user) -> bool:
    """Platform admins (staff) and institution admins: the people who must use MFA when it is required."""
    if not roles.is_authenticated(user):
        return False
    return user.is_staff or bool(roles.admin_institution_ids(user))


def mfa_enabled(user) -> bool:
    """Whether the person has set up an authenticator app (TOTP)."""
    if not roles.is_authenticated(user):
        return False
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_required(user) -> bool:
    """Whether the person must use MFA: admins, while ACCOUNTS_MFA_REQUIRED_FOR_ADMINS is on."""
    return settings.ACCOUNTS_MFA_REQUIRED_FOR_ADMINS and holds_admin_role(user)


def mfa_setup_required(user) -> bool:
    """An admin without TOTP while MFA is required: sent to set it up before anything else."""
    return mfa_required(user) and not mfa_enabled(user)


def feide_claims(user) -> dict:
    """The claims of the person's last Feide log-in (user info merged over the ID token), or {} without Feide."""
    account = SocialAccount.objects.filter(user_id=user.pk, provider=FEIDE_PROVIDER_ID).order_by("-last_login").first()
    if account is None:
        return {}
    data = account.extra_data or {}
    if "id_token" in data or "userinfo" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return dict(data)


def feide_organisation(user) -> str | None:
    """The Feide home organisation of the person (its realm, e.g. "uio.no") from the last Feide log-in, or None.

    The hook for verified affiliation: Feide vouches for the organisation, which an institution maps to itself.
    `accounts.signals.feide_login` announces it at each Feide log-in.
    """
    return feide_organisation_from_claims(feide_claims(user))


def feide_organisation_from_claims(claims: dict) -> str | None:
    for name in FEIDE_ORGANISATION_CLAIMS:
        if claims.get(name):
            return str(claims[name]).lower()
    for name in FEIDE_PRINCIPAL_CLAIMS:
        principal = str(claims.get(name) or "")
        if "@" in principal:
            return principal.rpartition("@")[2].lower()
    return None


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The person's personal API tokens, newest first (expired ones too, until revoked)."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created", "-id")


def api_token_with_user(digest: str) -> ApiToken | None:
    """The token with this digest, its user and whether the user's e-mail is verified, in one query."""
    return (
        ApiToken.objects.select_related("user")
        .annotate(
            user_email_verified=verified_primary_email_exists(OuterRef("user_id")),
            user_verified_institution=verified_institution_subquery(OuterRef("user_id")),
        )
        .filter(digest=digest)
        .first()
    )


# The attribute on a user object that holds the id of the verified institution once read (0: read, none).
VERIFIED_INSTITUTION_ATTR = "verified_institution_pk"


def verified_institution_subquery(user_ref) -> Subquery:
    """A `Subquery` for "the institution of this user's verified affiliation" (its id or NULL), to annotate with."""
    verified = Affiliation.objects.filter(user_id=user_ref, state=AffiliationState.VERIFIED)
    return Subquery(verified.values("institution_id")[:1])


def verified_institution_id(user) -> int | None:
    """The id of the institution the person's affiliation with is verified, or None (DOMAIN.md, "Price tiers").

    Verified means by Feide, by a verified e-mail address under a domain the institution registered, or by an
    institution admin's approval (`accounts.services.affiliation_*`). The institution a person merely typed
    (`User.institution`) never counts. The answer is kept on the user object for the rest of the request; the API
    token authentication reads it together with the token.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    known = getattr(user, VERIFIED_INSTITUTION_ATTR, None)
    if known is None:
        found = (
            Affiliation.objects.filter(user_id=user.pk, state=AffiliationState.VERIFIED)
            .values_list("institution_id", flat=True)
            .first()
        )
        known = found or 0
        setattr(user, VERIFIED_INSTITUTION_ATTR, known)
    return known or None


def verified_institution(user):
    """The institution (catalogue.Institution) whose affiliation the person has verified, or None: the only
    institution that decides the internal tier or pays for the person."""
    institution_id = verified_institution_id(user)
    if institution_id is None:
        return None
    return Institution.objects.get(pk=institution_id)


def affiliation_of(user) -> Affiliation | None:
    """The person's affiliation claim with its institution, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Affiliation.objects.select_related("institution", "decided_by").filter(user_id=user.pk).first()


def affiliation_institutions_for(user) -> QuerySet[Institution]:
    """The institutions whose affiliation claims the person decides: those they are admin of, every one for a
    platform admin."""
    if roles.is_platform_admin(user):
        return Institution.objects.order_by("name")
    return Institution.objects.filter(id__in=roles.admin_institution_ids(user)).order_by("name")


def affiliations_waiting_count(user) -> int:
    """How many claims wait for the person's decision (at the institutions they are admin of)."""
    institutions = affiliation_institutions_for(user)
    return Affiliation.objects.filter(institution__in=institutions, state=AffiliationState.PENDING).count()


def affiliations_of_institution(institution, *, state: str | None = None) -> QuerySet[Affiliation]:
    """The claims to belong to the institution, oldest waiting first, with the person and who decided."""
    claims = Affiliation.objects.filter(institution=institution).select_related("user", "decided_by")
    if state:
        claims = claims.filter(state=state)
    return claims.order_by("claimed_at", "id")


def affiliation_history(institution, *, limit: int = 100) -> QuerySet[AffiliationEvent]:
    """The latest steps of the institution's affiliation claims: claimed, verified, approved, refused, withdrawn."""
    events = AffiliationEvent.objects.filter(institution=institution).select_related("user", "actor")
    return events.order_by("-at", "-id")[:limit]


def institution_domains(institution) -> QuerySet[InstitutionDomain]:
    return InstitutionDomain.objects.filter(institution=institution).select_related("added_by").order_by("domain")


# --- Organisations and payers ----------------------------------------------------------------------------------


def membership_of(user, organisation) -> OrganisationMembership | None:
    """The person's membership of the organisation (any state), or None; kept on the user object per request."""
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return None
    organisation_id = getattr(organisation, "pk", organisation)
    cache = user.__dict__.setdefault("membership_by_organisation", {})
    if organisation_id not in cache:
        cache[organisation_id] = OrganisationMembership.objects.filter(
            user_id=user.pk, organisation_id=organisation_id
        ).first()
    return cache[organisation_id]


def memberships_of(user) -> QuerySet[OrganisationMembership]:
    """The person's memberships with their organisations, approved first."""
    return (
        OrganisationMembership.objects.filter(user_id=user.pk)
        .select_related("organisation")
        .order_by("organisation__name", "id")
    )


def organisations_acted_for(user) -> QuerySet[Organisation]:
    """The organisations the person is an approved member of."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user_id=user.pk, memberships__state=MembershipState.APPROVED
    ).order_by("name", "id")


def organisation_members(organisation) -> QuerySet[OrganisationMembership]:
    return (
        OrganisationMembership.objects.filter(organisation=organisation)
        .select_related("user", "decided_by")
        .order_by("state", "requested_at", "id")
    )


def organisation_members_approved(organisation) -> list[User]:
    """The active people who are approved members of `organisation` (none for None)."""
    if organisation is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, memberships__organisation=organisation, memberships__state=MembershipState.APPROVED
        ).order_by("pk")
    )


def memberships_to_decide(user) -> QuerySet[OrganisationMembership]:
    """The waiting memberships the person decides: every one for a platform admin (first members wait only for
    them), else those of the organisations they are an approved admin of."""
    waiting = OrganisationMembership.objects.filter(state=MembershipState.PENDING).exclude(user_id=user.pk)
    if not roles.is_platform_admin(user):
        admin_of = OrganisationMembership.objects.filter(
            user_id=user.pk, state=MembershipState.APPROVED, role=MembershipRole.ADMIN
        ).values("organisation_id")
        waiting = waiting.filter(organisation_id__in=admin_of)
    return waiting.select_related("organisation", "user").order_by("requested_at", "id")


@dataclass(frozen=True)
class Payer:
    """Who pays for what a person books or asks for: an organisation they act for, their verified institution, or
    they themselves (name only)."""

    name: str
    org_number: str = ""
    institution: Institution | None = None
    organisation: Organisation | None = None


class NotAMember(PermissionDenied):
    """A person who is not an approved member asked to book or request on an organisation's account (403)."""

    code = "not_a_member"

    def __init__(self):
        super().__init__({"detail": str(self), "code": self.code})

    def __str__(self):
        return str(gettext_lazy("You are not an approved member of this organisation, so you cannot act for it."))


def payer_for(user, organisation=None) -> Payer:
    """The payer of what the person books or asks for (DOMAIN.md, "Price tiers"; issue 15).

    - `organisation` named: the person must be its approved member, else NotAMember (403).
    - A company user who is an approved member of an organisation: that organisation (the first by name when
      several; name one to choose).
    - An academic whose affiliation is verified: the institution.
    - Anyone else: the person, by name; nothing a person merely typed makes an organisation or institution pay.
    """
    if organisation is not None:
        membership = membership_of(user, organisation)
        if membership is None or not membership.is_approved:
            raise NotAMember
        organisation = membership.organisation
        return Payer(name=organisation.name, org_number=organisation.org_number or "", organisation=organisation)
    if getattr(user, "kind", None) == UserKind.COMPANY:
        first = organisations_acted_for(user).first()
        if first is not None:
            return Payer(name=first.name, org_number=first.org_number or "", organisation=first)
    institution = verified_institution(user)
    if institution is not None:
        return Payer(name=institution.name, org_number=institution.org_number, institution=institution)
    return Payer(name=user.get_full_name() or user.email)


# --- Clusters and TTOs and their member companies -------------------------------------------------------------


def clusters_acted_for(user) -> QuerySet[Organisation]:
    """The clusters and TTOs the person is an approved member of (their staff)."""
    return organisations_acted_for(user).filter(kind__in=CLUSTER_KINDS)


def cluster_members(cluster) -> QuerySet[ClusterMember]:
    """A cluster's member companies, by name."""
    return ClusterMember.objects.filter(cluster=cluster).select_related("company").order_by("company__name", "id")


def clusters_of_company(company) -> QuerySet[ClusterMember]:
    """The clusters and TTOs that list the company as a member, and whether it shares its requests with each."""
    return ClusterMember.objects.filter(company=company).select_related("cluster").order_by("cluster__name", "id")


def member_companies_of(cluster_ids) -> QuerySet[Organisation]:
    """The member companies of these clusters on whose behalf their staff and keys may send requests: those whose
    admins agreed (`shares_requests`); a company a cluster merely listed never has a request sent in its name."""
    return (
        Organisation.objects.filter(clusters__cluster_id__in=cluster_ids, clusters__shares_requests=True)
        .distinct()
        .order_by("name", "id")
    )


def companies_sharing_with(cluster_ids) -> QuerySet:
    """Ids of the companies that let these clusters follow their requests (a subquery, for filters)."""
    return ClusterMember.objects.filter(cluster_id__in=cluster_ids, shares_requests=True).values("company_id")


def company_shares_with(*, company_id: int, cluster_ids) -> bool:
    """Whether the company lets one of these clusters follow its requests."""
    return ClusterMember.objects.filter(
        cluster_id__in=cluster_ids, company_id=company_id, shares_requests=True
    ).exists()


def clusters_followed_by(company_id: int) -> QuerySet:
    """Ids of the clusters and TTOs the company lets follow its requests (a subquery, for filters)."""
    return ClusterMember.objects.filter(company_id=company_id, shares_requests=True).values("cluster_id")
