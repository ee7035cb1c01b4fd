"""Writes that move a request between queues and to facilities, and the facilities' answers."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, DomainError
from core.outbox import QueuedEmail, email_queue, emails_queue
from core.references import BOOKING_PROPOSAL, QUOTE_FLOOR, reference_refusal
from intake import emails
from intake.choices import (
    AgreementType,
    AuthorRole,
    DeclineReason,
    ProposalKind,
    QuoteUnit,
    RoutingStatus,
)
from intake.models import IntakeRequest, RequestEvent, RequestMessage, Routing
from intake.services.state import S, actor_fields, decline_reason_check, request_lock, request_transition


@transaction.atomic
def request_assign_institution(*, request: IntakeRequest, user, institution, now=None) -> IntakeRequest:
    """Move a request from the national queue to an institution's screeners (a platform admin's call)."""
    if institution is None:
        raise DomainError(_("Choose an institution."), field="institution", code="required")
    request = request_lock(request)
    if request.status not in (S.IN_SCREENING, S.NEEDS_INFO):
        raise ConflictError(
            _("Only requests in screening can be assigned; this one is “%(status)s”.")
            % {"status": S(request.status).label},
            field="status",
            code="illegal_transition",
        )
    request.institution = institution
    request.save(update_fields=["institution", "updated_at"])
    # Not a change of status, but part of the history: who moved it to which queue, and when.
    RequestEvent.objects.create(
        request=request,
        from_status=request.status,
        to_status=request.status,
        reason=_("Assigned to %(institution)s.") % {"institution": institution},
        **actor_fields(user),
    )
    email_queue(kind=emails.IN_QUEUE, object_id=request.pk)
    return request


@transaction.atomic
def request_route(*, request: IntakeRequest, user, facilities: list, note: str = "", now=None) -> list[Routing]:
    """Send a screened request to one or more facilities, at any institution."""
    if not facilities:
        raise DomainError(_("Choose at least one facility."), field="facilities", code="required")
    request = request_lock(request)
    request_transition(request, S.ROUTED, actor=user, reason=note, now=now)
    routings = []
    for facility in dict.fromkeys(facilities):  # keep order, drop repeats
        routings.append(Routing.objects.create(request=request, facility=facility, note=note, routed_by=user))
    emails_queue(emails=[QueuedEmail(emails.ROUTED, routing.pk) for routing in routings])
    return routings


def _lock_routing(routing: Routing) -> Routing:
    routing = Routing.objects.select_for_update().select_related("request", "facility").get(pk=routing.pk)
    if routing.status != RoutingStatus.PENDING:
        raise ConflictError(_("This routing has already been answered."), field="status", code="already_answered")
    return routing


@transaction.atomic
def routing_accept(
    *,
    routing: Routing,
    user,
    proposal_kind: str,
    agreement_type: str = "",
    proposal_text: str = "",
    booking_id: int | None = None,
    quote_amount: Decimal | None = None,
    quote_resource: int | None = None,
    quote_unit: str = "",
    quote_quantity: Decimal | None = None,
    now=None,
) -> Routing:
    """A facility manager takes the request and proposes a booking, a quote or an agreement type.

    A proposal with an amount says what it covers: `quote_quantity` × `quote_unit` (hour, half_day, day or
    sample) of `quote_resource` (a resource of the routing's facility, by id). The amount may not be below full
    cost plus the minimum margin of that (pricing's QUOTE_FLOOR check, through core.references); what it covers
    is written into the proposal the requester reads.
    """
    if proposal_kind not in ProposalKind.values:
        raise DomainError(_("Choose what you propose."), field="proposal_kind", code="invalid_choice")
    if proposal_kind == ProposalKind.AGREEMENT and agreement_type not in AgreementType.values:
        raise DomainError(_("Choose the agreement type."), field="agreement_type", code="required")
    if proposal_kind == ProposalKind.BOOKING and not booking_id and not proposal_text:
        raise DomainError(_("Give the booking number or describe the booking."), field="booking_id")
    if proposal_kind == ProposalKind.QUOTE and quote_amount is None:
        raise DomainError(_("Give the quoted amount."), field="quote_amount", code="required")
    if quote_amount is not None and Decimal(quote_amount) < 0:
        raise DomainError(_("A quoted amount cannot be negative."), field="quote_amount")
    if booking_id is not None:  # a proposal never points at a booking the company could not have
        refusal = reference_refusal(BOOKING_PROPOSAL, booking_id=booking_id, facility_id=routing.facility_id)
        if refusal is not None:
            raise DomainError(refusal, field="booking_id", code="invalid_booking")
    if quote_amount is not None:  # a price offered to a company: never below full cost plus the minimum margin
        reference_refusal(
            QUOTE_FLOOR, facility_id=routing.facility_id, resource_id=quote_resource, unit=quote_unit,
            quantity=quote_quantity, amount=Decimal(quote_amount),
        )  # fmt: skip
    routing = _lock_routing(routing)
    request = request_lock(routing.request)
    if request.status == S.ROUTED:
        request_transition(request, S.ACCEPTED, actor=user, reason=proposal_text, now=now)
    elif request.status != S.ACCEPTED:
        raise ConflictError(
            _("A request that is “%(status)s” cannot be accepted.") % {"status": S(request.status).label},
            field="status",
            code="illegal_transition",
        )
    routing.status = RoutingStatus.ACCEPTED
    routing.decided_by = user
    routing.decided_at = now or timezone.now()
    routing.proposal_kind = proposal_kind
    routing.agreement_type = agreement_type or ""
    routing.proposal_text = proposal_text or ""
    routing.booking_id = booking_id
    routing.quote_amount = quote_amount
    routing.full_clean()
    routing.save()
    covers = None
    if quote_amount is not None:
        covers = {"quantity": quote_quantity, "unit": quote_unit, "resource": quote_resource}
    RequestMessage.objects.create(
        request=request,
        author_role=AuthorRole.MANAGER,
        author_user=user,
        author_label=f"{user} ({routing.facility})",
        body=_proposal_summary(routing, covers=covers),
    )
    return routing


def _proposal_summary(routing: Routing, *, covers: dict | None = None) -> str:
    parts = [
        _("%(facility)s proposes: %(kind)s")
        % {"facility": routing.facility, "kind": ProposalKind(routing.proposal_kind).label}
    ]
    if routing.agreement_type:
        parts.append(str(AgreementType(routing.agreement_type).label))
    if routing.booking_id:
        parts.append(_("booking no. %(number)s") % {"number": routing.booking_id})
    if routing.quote_amount is not None:
        parts.append(_("NOK %(amount)s excl. VAT") % {"amount": routing.quote_amount})
    if covers is not None:
        resource = routing.facility.resources.filter(pk=covers["resource"]).values_list("name", flat=True).first()
        parts.append(
            _("for %(quantity)s × %(unit)s of %(resource)s")
            % {
                "quantity": format(Decimal(covers["quantity"]).normalize(), "f"),
                "unit": QuoteUnit(covers["unit"]).label,
                "resource": resource,
            }
        )
    text = ", ".join(parts) + "."
    if routing.proposal_text:
        text += "\n\n" + routing.proposal_text
    return text


@transaction.atomic
def routing_decline(*, routing: Routing, user, reason: str, comment: str = "", now=None) -> Routing:
    """A manager declines; when no facility is left waiting, the request goes back to screening."""
    decline_reason_check(reason)
    routing = _lock_routing(routing)
    request = request_lock(routing.request)
    routing.status = RoutingStatus.DECLINED
    routing.decided_by = user
    routing.decided_at = now or timezone.now()
    routing.decline_reason = reason
    routing.decline_comment = comment or ""
    routing.save()
    still_waiting = request.routings.filter(status=RoutingStatus.PENDING).exists()
    if request.status == S.ROUTED and not still_waiting:
        label = DeclineReason(reason).label
        request_transition(
            request,
            S.IN_SCREENING,
            actor=user,
            reason=_("%(facility)s declined: %(reason)s. %(comment)s")
            % {"facility": routing.facility, "reason": label, "comment": comment},
            now=now,
        )
    return routing
