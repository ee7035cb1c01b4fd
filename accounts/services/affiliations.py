"""Writes for affiliations: a person's claim to belong to an institution counts only once verified (by Feide, by a
verified e-mail address under a domain the institution registered, or by an institution admin), and the
institution's domains."""

import re

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import emails, policies, selectors
from accounts.choices import AffiliationAction, AffiliationMethod, AffiliationState, UserKind
from accounts.models import Affiliation, AffiliationEvent, InstitutionDomain, User
from catalogue.models import Institution
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from core.policies import is_visible, require


def _affiliation_event_record(*, user, institution_id: int, action: str, method: str = "", actor=None,
                              note: str = "", at=None) -> None:  # fmt: skip
    AffiliationEvent.objects.create(
        user=user, institution_id=institution_id, action=action, method=method, actor=actor, note=note,
        at=at or timezone.now(),
    )  # fmt: skip


def _forget_cached_verification(user) -> None:
    if hasattr(user, selectors.VERIFIED_INSTITUTION_ATTR):
        delattr(user, selectors.VERIFIED_INSTITUTION_ATTR)


def _affiliation_verify(affiliation: Affiliation, *, method: str, actor=None, note: str = "") -> Affiliation:
    now = timezone.now()
    affiliation.state, affiliation.method = AffiliationState.VERIFIED, method
    affiliation.decided_at, affiliation.decided_by = now, actor
    affiliation.save(update_fields=["state", "method", "decided_at", "decided_by"])
    action = AffiliationAction.APPROVED if method == AffiliationMethod.ADMIN else AffiliationAction.VERIFIED
    _affiliation_event_record(
        user=affiliation.user, institution_id=affiliation.institution_id, action=action, method=method, actor=actor,
        note=note, at=now,
    )  # fmt: skip
    _forget_cached_verification(affiliation.user)
    return affiliation


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def affiliation_proof(affiliation: Affiliation) -> str | None:
    """How the claim can be verified without an admin: a Feide log-in from one of the institution's domains, or a
    verified e-mail address under one of them; None when neither holds."""
    registered = InstitutionDomain.objects.filter(institution_id=affiliation.institution_id)
    domains = set(registered.values_list("domain", flat=True))
    if not domains:
        return None
    if selectors.feide_organisation(affiliation.user) in domains:
        return AffiliationMethod.FEIDE
    addresses = EmailAddress.objects.filter(user_id=affiliation.user_id, verified=True).values_list("email", flat=True)
    if any(email_domain(address) in domains for address in addresses):
        return AffiliationMethod.EMAIL_DOMAIN
    return None


@transaction.atomic
def affiliation_claim(*, user: User, institution: Institution | None, actor=None) -> Affiliation | None:
    """Record that the person says they belong to `institution` (None: to no institution).

    The same institution again changes nothing (a verified claim stays verified, a refused one refused). Another
    institution withdraws the old claim (in the history) and makes a new one, verified at once when Feide or a
    verified e-mail address proves it (`affiliation_proof`), else waiting for an institution admin.
    """
    existing = Affiliation.objects.select_for_update().filter(user_id=user.pk).first()
    if existing is not None and institution is not None and existing.institution_id == institution.pk:
        return existing
    now = timezone.now()
    if existing is not None:
        _affiliation_event_record(
            user=user, institution_id=existing.institution_id, action=AffiliationAction.WITHDRAWN, actor=actor or user,
            at=now,
        )  # fmt: skip
        existing.delete()
        _forget_cached_verification(user)
    if institution is None:
        return None
    affiliation = Affiliation.objects.create(user=user, institution=institution, claimed_at=now)
    _affiliation_event_record(
        user=user, institution_id=institution.pk, action=AffiliationAction.CLAIMED, actor=actor or user, at=now
    )
    method = affiliation_proof(affiliation)
    if method is not None:
        _affiliation_verify(affiliation, method=method)
    else:
        email_queue(kind=emails.AFFILIATION_WAITING, object_id=affiliation.pk)
    return affiliation


@transaction.atomic
def affiliation_check_proof(*, user: User) -> Affiliation | None:
    """Verify the person's waiting or refused claim if Feide or a verified e-mail address now proves it (after a
    Feide log-in, an e-mail confirmation or a new institution domain). Returns the claim, or None without one."""
    affiliation = Affiliation.objects.select_for_update().select_related("user").filter(user_id=user.pk).first()
    if affiliation is None or affiliation.state == AffiliationState.VERIFIED:
        return affiliation
    method = affiliation_proof(affiliation)
    if method is not None:
        affiliation.user = user
        _affiliation_verify(affiliation, method=method)
    return affiliation


@transaction.atomic
def affiliation_from_feide(*, user: User, organisation: str | None) -> Affiliation | None:
    """After a Feide log-in: verify the person's claim when Feide's home organisation is one of the claimed
    institution's domains; a person with no claim yet (and not a company user) gets one for that institution."""
    if not organisation:
        return None
    existing = Affiliation.objects.filter(user_id=user.pk).exists()
    if existing or user.kind == UserKind.COMPANY:
        return affiliation_check_proof(user=user)
    domain = InstitutionDomain.objects.select_related("institution").filter(domain=organisation.lower()).first()
    if domain is None:
        return None
    user.institution = domain.institution
    user.kind = UserKind.ACADEMIC
    user.save(update_fields=["institution", "kind"])
    return affiliation_claim(user=user, institution=domain.institution)


@transaction.atomic
def affiliation_decide(*, actor: User, affiliation_id: int, approve: bool, note: str = "") -> Affiliation:
    """An institution admin (or a platform admin) approves or refuses a person's claim to belong to the
    institution; a verified claim can be refused later (the person left). Every decision is in the history."""
    affiliation = (
        Affiliation.objects.select_for_update().select_related("user", "institution").filter(pk=affiliation_id).first()
    )
    if affiliation is None:
        raise Affiliation.DoesNotExist
    if not is_visible(policies.can_view_affiliation, actor, affiliation):  # not theirs to see: as a missing one
        raise Affiliation.DoesNotExist
    require(policies.can_decide_affiliation, actor, affiliation)
    if approve:
        if affiliation.state == AffiliationState.VERIFIED:
            raise ConflictError(_("This affiliation is already verified."), code="already_verified")
        _affiliation_verify(affiliation, method=AffiliationMethod.ADMIN, actor=actor, note=note)
        email_queue(kind=emails.AFFILIATION_DECIDED, object_id=affiliation.pk)
        return affiliation
    if affiliation.state == AffiliationState.REFUSED:
        raise ConflictError(_("This affiliation is already refused."), code="already_refused")
    now = timezone.now()
    affiliation.state, affiliation.method, affiliation.decided_at, affiliation.decided_by = (
        AffiliationState.REFUSED, "", now, actor
    )  # fmt: skip
    affiliation.save(update_fields=["state", "method", "decided_at", "decided_by"])
    _affiliation_event_record(
        user=affiliation.user, institution_id=affiliation.institution_id, action=AffiliationAction.REFUSED,
        actor=actor, note=note, at=now,
    )  # fmt: skip
    email_queue(kind=emails.AFFILIATION_DECIDED, object_id=affiliation.pk)
    return affiliation


# Public mail services: no institution vouches for their addresses.
PUBLIC_MAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "hotmail.com", "hotmail.no", "outlook.com", "live.com", "live.no", "yahoo.com",
     "yahoo.no", "icloud.com", "me.com", "online.no", "proton.me", "protonmail.com", "example.org", "example.com"}
)  # fmt: skip
DOMAIN_PATTERN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@transaction.atomic
def institution_domain_add(*, actor: User, institution: Institution, domain: str) -> InstitutionDomain:
    """Register an e-mail and Feide domain for the institution; the people waiting whose verified e-mail address
    or Feide log-in it proves are verified at once."""
    require(policies.can_manage_institution_domains, actor, institution)
    domain = (domain or "").strip().lower().removeprefix("@")
    if not DOMAIN_PATTERN.match(domain):
        raise DomainError(_("Give a domain such as uio.no."), field="domain", code="invalid_domain")
    if domain in PUBLIC_MAIL_DOMAINS:
        raise DomainError(
            _("Anyone can have an address at %(domain)s, so it cannot prove an affiliation.") % {"domain": domain},
            field="domain", code="public_domain",
        )  # fmt: skip
    if InstitutionDomain.objects.filter(domain=domain).exists():
        raise DomainError(_("This domain is already registered."), field="domain", code="domain_taken")
    added = InstitutionDomain.objects.create(institution=institution, domain=domain, added_by=actor)
    waiting = (
        Affiliation.objects.select_related("user")
        .filter(institution=institution)
        .exclude(state=AffiliationState.VERIFIED)
    )
    for affiliation in waiting:
        affiliation_check_proof(user=affiliation.user)
    return added


@transaction.atomic
def institution_domain_remove(*, actor: User, domain_id: int) -> None:
    """Remove a domain; affiliations it already verified stay verified (their history says how)."""
    domain = InstitutionDomain.objects.select_related("institution").filter(pk=domain_id).first()
    if domain is None:
        raise InstitutionDomain.DoesNotExist
    require(policies.can_manage_institution_domains, actor, domain.institution)
    domain.delete()
