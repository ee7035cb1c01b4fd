"""Writes for organisations: registering one by its number (checked in Brønnøysundregistrene), memberships asked
for, approved and refused, a new check in the register."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import brreg, emails, policies
from accounts.choices import MembershipRole, MembershipState, RegisterState
from accounts.models import Organisation, OrganisationMembership, User
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from core.policies import is_visible, require
from core.validators import normalise_org_number, validate_org_number


def org_number_checked(org_number: str) -> str:
    """The nine digits, or a DomainError naming `org_number` that says what is wrong."""
    number = normalise_org_number(org_number)
    if not number:
        raise DomainError(_("Give the organisation number."), field="org_number", code="required")
    try:
        validate_org_number(number)
    except ValidationError as error:
        raise DomainError(error.messages[0], field="org_number", code=error.code or "invalid") from None
    return number


def register_refusal(unit: brreg.RegisterUnit) -> DomainError | None:
    """Why the register's answer rules the number out as a payer, or None."""
    if not unit.found:
        return DomainError(
            _("Brønnøysundregistrene has no unit with this organisation number. Check for typing errors."),
            field="org_number", code="org_number_unknown",
        )  # fmt: skip
    if unit.deleted:
        return DomainError(
            _("This organisation is deleted from Brønnøysundregistrene."), field="org_number", code="org_deleted"
        )
    if unit.bankrupt:
        return DomainError(
            _("This organisation is bankrupt according to Brønnøysundregistrene."), field="org_number",
            code="org_bankrupt",
        )  # fmt: skip
    return None


def organisation_register_answer_apply(organisation: Organisation, unit: brreg.RegisterUnit) -> None:
    """Name, address, VAT registration, NACE code and web domain as the register has them; verified when the
    unit may pay, refused when it is deleted, bankrupt or unknown."""
    now = timezone.now()
    organisation.register_checked_at = now
    refusal = register_refusal(unit)
    if refusal is not None:
        organisation.register_state, organisation.register_note = RegisterState.REFUSED, str(refusal)[:300]
        return
    organisation.name = unit.name or organisation.name
    organisation.address = unit.address
    organisation.vat_registered = unit.vat_registered
    organisation.nace_code, organisation.sector = unit.nace_code, unit.nace_description
    organisation.web_domain = unit.web_domain
    organisation.register_state = RegisterState.VERIFIED
    organisation.register_note = _("Under liquidation according to the register.") if unit.winding_up else ""


def organisation_precheck(*, org_number: str, name: str = "") -> None:
    """Whether `organisation_by_number` would accept the number, without saving anything: a DomainError naming
    the field when not (a form checks this before it saves a new user)."""
    number = org_number_checked(org_number)
    known = Organisation.objects.filter(org_number=number).first()
    if known is not None and known.register_state == RegisterState.VERIFIED:
        return
    try:
        unit = brreg.unit_lookup(number)
    except brreg.RegisterUnavailable:
        if known is None and not (name or "").strip():
            raise DomainError(
                _("Brønnøysundregistrene cannot be reached just now: give the organisation's name, or try again "
                  "later."),
                field="company_name", code="register_unavailable",
            ) from None  # fmt: skip
        return
    refusal = register_refusal(unit)
    if refusal is not None:
        raise refusal


def organisation_by_number(*, org_number: str, name: str = "") -> Organisation:
    """The organisation with this number, registered now if it is new.

    A new number is looked up in Brønnøysundregistrene: unknown, deleted or bankrupt numbers are refused (400,
    field `org_number`) and nothing is saved; when the register cannot be reached, the organisation is saved
    unverified under the name the person gave (`register_state` says so) and nothing is invoiced to it until a
    later check verifies it. An organisation already known but not verified is checked again.
    """
    number = org_number_checked(org_number)
    organisation = Organisation.objects.filter(org_number=number).first()
    if organisation is not None:
        if organisation.register_state != RegisterState.VERIFIED:
            organisation_register_check(organisation=organisation)
        if organisation.register_state == RegisterState.REFUSED:
            raise DomainError(organisation.register_note, field="org_number", code="org_refused")
        return organisation
    try:
        unit = brreg.unit_lookup(number)
    except brreg.RegisterUnavailable:
        unit = None
    if unit is not None:
        refusal = register_refusal(unit)
        if refusal is not None:
            raise refusal
    name = (name or "").strip()
    if unit is None and not name:
        raise DomainError(
            _("Brønnøysundregistrene cannot be reached just now: give the organisation's name, or try again later."),
            field="company_name", code="register_unavailable",
        )  # fmt: skip
    organisation = Organisation(org_number=number, name=name[:200])
    if unit is None:
        organisation.register_note = _("Brønnøysundregistrene could not be reached; not verified yet.")
    else:
        organisation_register_answer_apply(organisation, unit)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:  # registered by someone else meanwhile
        return Organisation.objects.get(org_number=number)
    return organisation


def organisation_register_check(*, organisation: Organisation) -> bool:
    """Ask the register again; True when it answered. Unreachable: nothing changes."""
    try:
        unit = brreg.unit_lookup(organisation.org_number)
    except brreg.RegisterUnavailable:
        return False
    organisation_register_answer_apply(organisation, unit)
    organisation.save()
    return True


@transaction.atomic
def organisation_recheck(*, actor: User, organisation_id: int) -> Organisation:
    """A platform admin or the organisation's admin asks the register again (after it was unreachable)."""
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        raise Organisation.DoesNotExist
    if not is_visible(policies.knows_organisation, actor, organisation):  # not theirs to see: as a missing one
        raise Organisation.DoesNotExist
    require(policies.can_recheck_organisation, actor, organisation)
    if not organisation.org_number:
        raise DomainError(_("This organisation has no organisation number."), field="org_number", code="required")
    if not organisation_register_check(organisation=organisation):
        raise ConflictError(
            _("Brønnøysundregistrene cannot be reached just now. Try again later."), code="register_unavailable"
        )
    return organisation


def verified_email_under(user: User, domain: str) -> bool:
    """Whether one of the person's verified e-mail addresses is at `domain` or a subdomain of it."""
    if not domain:
        return False
    for address in EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list("email", flat=True):
        host = address.rpartition("@")[2].lower()
        if host == domain or host.endswith("." + domain):
            return True
    return False


@transaction.atomic
def membership_request(*, user: User, org_number: str, company_name: str = "") -> OrganisationMembership:
    """The person asks to act for the organisation with this number (registered now if new).

    The first member becomes the organisation's admin once approved: by a platform admin, or at once when the
    organisation is verified and one of the person's verified e-mail addresses is under its registered web domain.
    Later members wait for the organisation's admins. Asking again after a refusal asks anew.
    """
    organisation = organisation_by_number(org_number=org_number, name=company_name)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    membership = OrganisationMembership.objects.filter(organisation=organisation, user=user).first()
    if membership is not None and membership.state != MembershipState.REFUSED:
        return membership
    has_approved = organisation.memberships.filter(state=MembershipState.APPROVED).exists()
    if membership is None:
        membership = OrganisationMembership(organisation=organisation, user=user)
    membership.claimed_name = (company_name or "").strip()[:200]
    membership.role = MembershipRole.MEMBER if has_approved else MembershipRole.ADMIN
    membership.state, membership.decided_at, membership.decided_by = MembershipState.PENDING, None, None
    membership.decision_note = ""
    if not has_approved and organisation.is_verified and verified_email_under(user, organisation.web_domain):
        membership.state, membership.decided_at = MembershipState.APPROVED, timezone.now()
        membership.decision_note = _("Approved at once: verified e-mail address under %(domain)s.") % {
            "domain": organisation.web_domain
        }
    membership.save()
    if membership.state == MembershipState.PENDING:
        email_queue(kind=emails.MEMBERSHIP_WAITING, object_id=membership.pk)
    return membership


@transaction.atomic
def membership_decide(*, actor: User, membership_id: int, approve: bool, note: str = "") -> OrganisationMembership:
    """Approve or refuse a membership: the first member by a platform admin, later ones by the organisation's
    admins (or a platform admin). An approved member can be refused later (they left)."""
    membership = (
        OrganisationMembership.objects.select_for_update()
        .select_related("organisation", "user")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise OrganisationMembership.DoesNotExist
    if not is_visible(policies.can_view_membership, actor, membership):  # not theirs to see: as a missing one
        raise OrganisationMembership.DoesNotExist
    require(policies.can_decide_membership, actor, membership)
    wanted = MembershipState.APPROVED if approve else MembershipState.REFUSED
    if membership.state == wanted:
        raise ConflictError(_("The membership is already in this state."), code="already_decided")
    if approve and not membership.organisation.memberships.filter(state=MembershipState.APPROVED).exists():
        membership.role = MembershipRole.ADMIN  # the first approved member runs the organisation's memberships
    membership.state, membership.decided_at, membership.decided_by = wanted, timezone.now(), actor
    membership.decision_note = (note or "")[:1000]
    membership.save()
    email_queue(kind=emails.MEMBERSHIP_DECIDED, object_id=membership.pk)
    return membership


@transaction.atomic
def membership_role_set(*, actor: User, membership_id: int, role: str) -> OrganisationMembership:
    """Make an approved member an organisation admin (who approves later members), or an admin a member again.
    The organisation keeps at least one approved admin (409 last_admin). Role changes of one organisation are
    serialised on its row, so two changes at once are decided one after the other (two admins who demote each other:
    the second is no longer an admin, 403; two platform admins who demote both admins: the second would take the last
    admin, 409) and never lock each other's memberships in opposite orders."""
    organisation_id = (
        OrganisationMembership.objects.filter(pk=membership_id).values_list("organisation_id", flat=True).first()
    )
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()  # a missing one: get() says so
    membership = OrganisationMembership.objects.select_related("organisation", "user").get(pk=membership_id)
    if not is_visible(policies.can_view_membership, actor, membership):  # not theirs to see: as a missing one
        raise OrganisationMembership.DoesNotExist
    require(policies.can_change_membership_role, actor, membership)
    if role not in MembershipRole.values:
        raise DomainError(_("Choose organisation admin or member."), field="role", code="invalid_choice")
    if membership.state != MembershipState.APPROVED:
        raise DomainError(
            _("Only an approved member can have a role; approve the membership first."), field="role",
            code="not_approved",
        )  # fmt: skip
    other_admins = OrganisationMembership.objects.filter(
        organisation_id=membership.organisation_id, state=MembershipState.APPROVED, role=MembershipRole.ADMIN
    ).exclude(pk=membership.pk)
    if role != MembershipRole.ADMIN and not other_admins.exists():
        raise ConflictError(
            _("The organisation must keep at least one admin: make someone else admin first."), field="role",
            code="last_admin",
        )  # fmt: skip
    membership.role = role
    membership.save()
    return membership
