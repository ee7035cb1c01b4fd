"""Writes that move a request between screening queues, or out of the register: hand-over to another institution's
screeners, and referral to a cluster, another national platform or an institute."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalogue.choices import InstitutionRoleKind
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from intake import emails, selectors
from intake.choices import CloseReason, ReferralKind
from intake.models import IntakeRequest, Referral, RequestEvent
from intake.services.state import S, actor_fields, request_lock, request_transition

SCREENING = (S.IN_SCREENING, S.NEEDS_INFO)


def _check_in_screening(request: IntakeRequest, what: str) -> None:
    if request.status not in SCREENING:
        raise ConflictError(
            _("Only requests in screening can be %(what)s; this one is “%(status)s”.")
            % {"what": what, "status": S(request.status).label},
            field="status",
            code="illegal_transition",
        )


@transaction.atomic
def request_assign_institution(*, request: IntakeRequest, user, institution, note: str = "", now=None) -> IntakeRequest:
    """Hand a request to another institution's screeners (from the national queue or from another institution).

    The institution must have a screener who can be told, so the request never lands in a queue nobody reads.
    The response clock keeps running: the requester was promised an answer, whoever gives it.
    """
    if institution is None:
        raise DomainError(_("Choose an institution."), field="institution", code="required")
    if not selectors.institution_people([institution.pk], InstitutionRoleKind.SCREENER):
        raise DomainError(
            _("%(institution)s has no screener to receive the request. Choose another institution.")
            % {"institution": institution},
            field="institution",
            code="no_screener",
        )
    request = request_lock(request)
    _check_in_screening(request, _("handed over"))
    if request.institution_id == institution.pk:
        raise DomainError(
            _("The request is already in the queue of %(institution)s.") % {"institution": institution},
            field="institution",
            code="same_queue",
        )
    request.institution = institution
    request.save(update_fields=["institution", "updated_at"])
    # Not a change of status, but part of the history the requester sees: who moved it to which queue, and when.
    reason = _("Handed over to %(institution)s.") % {"institution": institution}
    if note.strip():
        reason += " " + note.strip()
    RequestEvent.objects.create(
        request=request, from_status=request.status, to_status=request.status, reason=reason, **actor_fields(user)
    )
    email_queue(kind=emails.IN_QUEUE, object_id=request.pk)
    return request


@transaction.atomic
def request_refer(
    *, request: IntakeRequest, user, kind: str, name: str, contact: str = "", note: str = "", now=None
) -> Referral:
    """Refer a request outside the register and close it; the requester is told where to go and how."""
    if kind not in ReferralKind.values:
        raise DomainError(_("Choose where the request is referred to."), field="kind", code="invalid_choice")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name who the request is referred to."), field="name", code="required")
    request = request_lock(request)
    _check_in_screening(request, _("referred"))
    referral = Referral(
        request=request, kind=kind, name=name, contact=(contact or "").strip(), note=(note or "").strip(),
        referred_by=user,
    )  # fmt: skip
    referral.full_clean()
    referral.save()
    request.close_reason = CloseReason.REFERRED
    reason = _("Referred to %(name)s (%(kind)s).") % {"name": name, "kind": ReferralKind(kind).label}
    if referral.contact:
        reason += " " + _("Contact: %(contact)s.") % {"contact": referral.contact}
    if referral.note:
        reason += " " + referral.note
    request_transition(request, S.CLOSED, actor=user, reason=reason, now=now)
    return referral
