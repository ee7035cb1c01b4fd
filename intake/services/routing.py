"""Writes that route a request to facilities, and the facilities' answers: by their managers in the portal, or by
a contact person through the signed link e-mailed to them (no account needed)."""

import secrets
from decimal import ROUND_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.choices import Frequency
from booking.services import MAX_SERIES_LENGTH
from core.errors import ConflictError, DomainError
from core.formatting import money_text, period_text
from core.outbox import QueuedEmail, emails_queue
from core.references import BOOKING_PROPOSAL, QUOTE_FLOOR, reference_refusal
from intake import emails, selectors
from intake.choices import (
    AgreementType,
    AuthorRole,
    DeclineReason,
    ProposalKind,
    QuoteUnit,
    RoutingStatus,
)
from intake.models import IntakeRequest, RequestMessage, Routing
from intake.services.proposals import proposal_agreement_template
from intake.services.state import S, decline_reason_check, request_lock, request_transition


@transaction.atomic
def request_route(*, request: IntakeRequest, user, facilities: list, note: str = "", now=None) -> list[Routing]:
    """Send a screened request to one or more facilities, at any institution.

    Each facility must have someone to tell: a manager, or else a primary contact person with an e-mail address,
    who gets a signed link to answer without an account. A facility with neither is refused by name, and the
    request stays with the screener. The screener's note goes to the facilities only, never to the requester.
    """
    if not facilities:
        raise DomainError(_("Choose at least one facility."), field="facilities", code="required")
    facilities = list(dict.fromkeys(facilities))  # keep order, drop repeats
    unreachable = [str(facility) for facility in facilities if not selectors.facility_has_responder(facility)]
    if unreachable:
        raise DomainError(
            _(
                "Nobody can answer for %(facilities)s: no manager, and no primary contact person with an e-mail "
                "address. Choose another facility, or ask the institution to name a contact person."
            )
            % {"facilities": ", ".join(unreachable)},
            field="facilities",
            code="no_responder",
        )
    request = request_lock(request)
    request_transition(
        request,
        S.ROUTED,
        actor=user,
        reason=_("Sent to %(facilities)s.") % {"facilities": ", ".join(str(facility) for facility in facilities)},
        now=now,
    )
    routings = []
    for facility in facilities:
        routing = Routing(request=request, facility=facility, note=note, routed_by=user)
        people = selectors.routing_people(routing)
        if not any(person.has_account for person in people):
            routing.contact_name, routing.contact_email = people[0].name, people[0].email
            routing.answer_nonce = secrets.token_urlsafe(24)
        routing.save()
        routings.append(routing)
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
    slot_start=None,
    slot_end=None,
    series_frequency: str = "",
    series_count: int | None = None,
    answered_by: str = "",
    now=None,
) -> Routing:
    """A facility manager (or, by the signed link, its contact person: `user` None, `answered_by` their name) takes
    the request and proposes a booking, a quote or an agreement type.

    A proposal with an amount says what it covers: `quote_quantity` × `quote_unit` (hour, half_day, day or
    sample) of `quote_resource` (a resource of the routing's facility, by id). The amount may not be below full
    cost plus the minimum margin of that (pricing's QUOTE_FLOOR check, through core.references); what it covers
    is written into the proposal the requester reads.

    A booking proposal gives a time slot (`slot_start`, `slot_end`) of `quote_resource`, repeated `series_count`
    times `series_frequency` (daily, weekly) for a series, or names a booking already made for the company
    (`booking_id`). When the requester accepts, the booking or series is made in their name at the proposal's
    amount (without one, at the price list's), and a quote with what it covers becomes a service order. A
    booking's amount covers every hour of its slots: the floor is checked on them.
    """
    covers_slot = slot_start is not None or slot_end is not None
    if covers_slot:
        _slot_check(slot_start, slot_end, quote_resource, series_frequency, series_count)
        if not routing.facility.resources.filter(pk=quote_resource).exists():
            raise DomainError(
                _("Choose a resource of your facility to be booked."), field="quote_resource", code="invalid"
            )
        if quote_amount is not None and quote_unit != QuoteUnit.SAMPLE:
            # What a booking's amount covers: every hour of all its slots, whatever time unit the manager counted
            # it in (else "1 hour" or "1 day" would let a long series through the floor). A cost base counted in
            # samples keeps the manager's number of samples.
            hours = Decimal((slot_end - slot_start).total_seconds()) / 3600 * (series_count or 1)
            # To the hundredth of an hour as stored (20 minutes: 0.34 h), rounded up: the floor is never lowered.
            quote_unit, quote_quantity = QuoteUnit.HOUR, hours.quantize(Decimal("0.01"), rounding=ROUND_UP)
    elif series_frequency or series_count:
        raise DomainError(_("A series needs the time of its first booking."), field="slot_start", code="required")
    if proposal_kind not in ProposalKind.values:
        raise DomainError(_("Choose what you propose."), field="proposal_kind", code="invalid_choice")
    if proposal_kind == ProposalKind.AGREEMENT and agreement_type not in AgreementType.values:
        raise DomainError(_("Choose the agreement type."), field="agreement_type", code="required")
    if proposal_kind == ProposalKind.BOOKING and not booking_id and not proposal_text and not covers_slot:
        raise DomainError(_("Give the time of the booking, or its number, or describe it."), field="slot_start")
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
    label = _answerer_label(routing, user, answered_by)
    if request.status == S.ROUTED:
        # The proposal itself is for the requester (and the screeners) only: other facilities never read it.
        reason = _("%(facility)s sent a proposal.") % {"facility": routing.facility}
        request_transition(request, S.ACCEPTED, actor=user or label, reason=reason, now=now)
    elif request.status != S.ACCEPTED:
        raise ConflictError(
            _("A request that is “%(status)s” cannot be accepted.") % {"status": S(request.status).label},
            field="status",
            code="illegal_transition",
        )
    routing.status = RoutingStatus.ACCEPTED
    routing.decided_by = user
    routing.decided_label = label
    routing.answer_nonce = ""
    routing.decided_at = now or timezone.now()
    routing.proposal_kind = proposal_kind
    routing.agreement_type = agreement_type or ""
    routing.proposal_text = proposal_text or ""
    routing.booking_id = booking_id
    routing.quote_amount = quote_amount
    routing.resource_id = quote_resource if (covers_slot or quote_amount is not None) else None
    routing.quantity = quote_quantity if quote_amount is not None else None
    routing.unit = (quote_unit or "") if quote_amount is not None else ""
    routing.slot_start, routing.slot_end = (slot_start, slot_end) if covers_slot else (None, None)
    routing.series_frequency = series_frequency or "" if covers_slot else ""
    routing.series_count = series_count if covers_slot and series_frequency else None
    routing.agreement_template = proposal_agreement_template(routing)
    routing.full_clean()
    routing.save()
    covers = None
    if quote_amount is not None:
        covers = {"quantity": quote_quantity, "unit": quote_unit, "resource": quote_resource}
    RequestMessage.objects.create(
        request=request,
        routing=routing,
        author_role=AuthorRole.MANAGER,
        author_user=user,
        author_label=label,
        body=_proposal_summary(routing, covers=covers),
    )
    return routing


def _slot_check(start, end, resource_id, frequency, count) -> None:
    """A proposed slot has both ends, in order, on a resource; a series has a known frequency and a count."""
    if start is None:
        raise DomainError(_("Give the start of the booking."), field="slot_start", code="required")
    if end is None:
        raise DomainError(_("Give the end of the booking."), field="slot_end", code="required")
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise DomainError(_("Give times with a UTC offset."), field="slot_start", code="naive_time")
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="slot_end", code="end_before_start")
    if resource_id is None:
        raise DomainError(_("Choose the resource to be booked."), field="quote_resource", code="required")
    if frequency and frequency not in Frequency.values:
        raise DomainError(_("Choose daily or weekly."), field="series_frequency", code="invalid_choice")
    if frequency and not (count and 2 <= count <= MAX_SERIES_LENGTH):
        raise DomainError(
            _("A series has between 2 and %(most)d bookings.") % {"most": MAX_SERIES_LENGTH},
            field="series_count",
            code="invalid",
        )
    if count and not frequency:
        raise DomainError(_("Say how often the booking repeats."), field="series_frequency", code="required")


def _answerer_label(routing: Routing, user, answered_by: str) -> str:
    if user is None and not answered_by:
        raise DomainError(_("Say who answers."), field="answered_by", code="required")
    return f"{user or answered_by} ({routing.facility})"


def _proposal_summary(routing: Routing, *, covers: dict | None = None) -> str:
    parts = [
        _("%(facility)s proposes: %(kind)s")
        % {"facility": routing.facility, "kind": ProposalKind(routing.proposal_kind).label}
    ]
    if routing.agreement_type:
        parts.append(str(AgreementType(routing.agreement_type).label))
    if routing.booking_id:
        parts.append(_("booking no. %(number)s") % {"number": routing.booking_id})
    if routing.slot_start is not None:
        resource = routing.facility.resources.filter(pk=routing.resource_id).values_list("name", flat=True).first()
        parts.append(
            _("%(resource)s %(period)s")
            % {"resource": resource, "period": period_text(routing.slot_start, routing.slot_end)}
        )
        if routing.series_frequency:
            parts.append(
                _("%(frequency)s, %(count)d times")
                % {"frequency": Frequency(routing.series_frequency).label.lower(), "count": routing.series_count}
            )
    if routing.quote_amount is not None:
        parts.append(_("%(amount)s excl. VAT") % {"amount": money_text(routing.quote_amount)})
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
def routing_decline(
    *, routing: Routing, user, reason: str, comment: str = "", answered_by: str = "", now=None
) -> Routing:
    """A manager (or the contact person, by the signed link) declines; when no facility is left waiting, the
    request goes back to screening."""
    decline_reason_check(reason)
    routing = _lock_routing(routing)
    request = request_lock(routing.request)
    label = _answerer_label(routing, user, answered_by)
    routing.status = RoutingStatus.DECLINED
    routing.decided_by = user
    routing.decided_label = label
    routing.answer_nonce = ""
    routing.decided_at = now or timezone.now()
    routing.decline_reason = reason
    routing.decline_comment = comment or ""
    routing.save()
    still_waiting = request.routings.filter(status=RoutingStatus.PENDING).exists()
    if request.status == S.ROUTED and not still_waiting:
        request_transition(
            request,
            S.IN_SCREENING,
            actor=user or label,
            reason=_("%(facility)s declined: %(reason)s. %(comment)s")
            % {"facility": routing.facility, "reason": DeclineReason(reason).label, "comment": comment},
            now=now,
        )
    return routing


# --- The contact person's signed link -----------------------------------------------------------------------


@transaction.atomic
def routing_accept_by_link(*, token: str, answered_by: str, now=None, **proposal) -> Routing:
    """The contact person accepts with a proposal through the signed link (single use, expires)."""
    routing = selectors.routing_for_answer_token(token, lock=True)
    name = (answered_by or "").strip() or routing.contact_name
    return routing_accept(routing=routing, user=None, answered_by=name, now=now, **proposal)


@transaction.atomic
def routing_decline_by_link(*, token: str, answered_by: str, reason: str, comment: str = "", now=None) -> Routing:
    """The contact person declines with a reason through the signed link (single use, expires)."""
    routing = selectors.routing_for_answer_token(token, lock=True)
    name = (answered_by or "").strip() or routing.contact_name
    return routing_decline(routing=routing, user=None, reason=reason, comment=comment, answered_by=name, now=now)
