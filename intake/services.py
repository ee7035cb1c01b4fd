"""Writes for the intake queue: submitting, screening, routing and answering requests, API clients, webhooks.

Every status change goes through `_transition`, which enforces the state machine, keeps the history, moves the
response deadline and queues the requester's e-mail and the submitting client's webhook after commit.
"""

import datetime
import hashlib
import hmac
import json
import secrets
from decimal import Decimal

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, DomainError
from core.net import host_is_public
from core.outbox import QueuedEmail, email_queue, emails_queue
from core.queue import task_queue_after_commit
from core.references import BOOKING_PROPOSAL, QUOTE_FLOOR, reference_refusal
from core.validators import normalise_org_number
from intake import deadlines, emails
from intake.choices import (
    CLOCK_RUNNING,
    AgreementType,
    AuthorRole,
    CloseReason,
    DeclineReason,
    DeliveryStatus,
    ProposalKind,
    QuoteUnit,
    RequestStatus,
    RoutingStatus,
    Scope,
)
from intake.models import ApiClient, IntakeRequest, RequestEvent, RequestMessage, Routing, WebhookDelivery

S = RequestStatus

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.AWAITING_CONFIRMATION, S.IN_SCREENING, S.WITHDRAWN}),
    S.AWAITING_CONFIRMATION: frozenset({S.IN_SCREENING, S.WITHDRAWN, S.CLOSED}),
    S.IN_SCREENING: frozenset({S.NEEDS_INFO, S.ROUTED, S.DECLINED, S.CLOSED, S.WITHDRAWN}),
    S.NEEDS_INFO: frozenset({S.IN_SCREENING, S.DECLINED, S.CLOSED, S.WITHDRAWN}),
    S.ROUTED: frozenset({S.ACCEPTED, S.IN_SCREENING, S.CLOSED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.CLOSED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.CLOSED: frozenset(),
}


KEY_PREFIX = "lt_"


def _actor_fields(actor) -> dict:
    if isinstance(actor, ApiClient):
        return {"actor_client": actor, "actor_label": actor.name}
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor_user": actor, "actor_label": str(actor)}
    return {"actor_label": _("the requester")}


def _transition(request: IntakeRequest, to_status: str, *, actor, reason: str = "", now=None) -> RequestEvent:
    """Move the request to `to_status` if the state machine allows it; ConflictError otherwise."""
    now = now or timezone.now()
    from_status = request.status
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise ConflictError(
            _("A request that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to_status).label},
            field="status",
            code="illegal_transition",
            extra={"from_status": from_status, "to_status": to_status},
        )
    if to_status == S.NEEDS_INFO:
        # The clock pauses: remember how many working days were left.
        left = deadlines.working_days_between(now, request.deadline_at) if request.deadline_at else 0
        request.paused_working_days = left
        request.deadline_at = None
    elif to_status == S.IN_SCREENING and from_status == S.NEEDS_INFO:
        request.deadline_at = deadlines.add_working_days(now, request.paused_working_days or 0)
        request.paused_working_days = None
    elif to_status in CLOCK_RUNNING:
        request.deadline_at = deadlines.add_working_days(now, settings.INTAKE_RESPONSE_WORKING_DAYS)
        request.reminded_at = None
        request.escalated_at = None
    else:
        request.deadline_at = None
    request.status = to_status
    request.save()
    if to_status in (S.WITHDRAWN, S.CLOSED):
        # The facilities no longer need to answer.
        request.routings.filter(status=RoutingStatus.PENDING).update(status=RoutingStatus.CANCELLED)
    event = RequestEvent.objects.create(
        request=request, from_status=from_status, to_status=to_status, reason=reason, **_actor_fields(actor)
    )
    if from_status != S.SUBMITTED or to_status != S.AWAITING_CONFIRMATION:
        _notify_status_change(request, event)
    return event


def _notify_status_change(request: IntakeRequest, event: RequestEvent) -> None:
    if event.to_status != S.AWAITING_CONFIRMATION:
        email_queue(kind=emails.STATUS_CHANGED, object_id=event.pk)
    if event.to_status == S.IN_SCREENING and event.from_status != S.NEEDS_INFO:
        # New in the queue, or back from the facilities: tell the screeners.
        email_queue(kind=emails.IN_QUEUE, object_id=request.pk)
    client = request.submitted_by_client
    if client is not None and client.webhook_url and not client.is_revoked:
        delivery = WebhookDelivery.objects.create(
            client=client,
            request=request,
            url=client.webhook_url,
            payload={
                "event": "request.status_changed",
                "request_id": request.pk,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
                "at": event.created_at.isoformat(),
            },
        )
        _queue_delivery(delivery.pk)


# --- Requests -------------------------------------------------------------------------------------------------


@transaction.atomic
def request_submit(*, data: dict, user=None, client: ApiClient | None = None, now=None) -> IntakeRequest:
    """Store a request and put it in the right queue.

    From a signed-in user or an API client it enters screening at once; without an account it waits until the
    e-mail address is confirmed by the link we send.
    """
    data = dict(data)
    if not data.get("consent_to_share"):
        raise DomainError(
            _("We can only route the request when you agree that it is shared with the institutions."),
            field="consent_to_share",
            code="consent_required",
        )
    data["org_number"] = normalise_org_number(data.get("org_number", ""))
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    facility = data.get("preferred_facility")
    institution = data.get("preferred_institution") or (facility.institution if facility else None)
    request = IntakeRequest(**data, requester=user, submitted_by_client=client, institution=institution)
    if user is not None and not data.get("language"):
        request.language = user.language
    request.full_clean()
    request.save()
    RequestEvent.objects.create(request=request, to_status=S.SUBMITTED, **_actor_fields(client or user))
    if user is None and client is None:
        request.confirmation_token = secrets.token_urlsafe(32)
        _transition(
            request, S.AWAITING_CONFIRMATION, actor=None, reason=_("Waiting for the e-mail confirmation."), now=now
        )
        email_queue(kind=emails.CONFIRMATION, object_id=request.pk)
    else:
        _transition(request, S.IN_SCREENING, actor=client or user, now=now)
    return request


@transaction.atomic
def request_confirm_email(*, token: str, now=None) -> IntakeRequest:
    """The requester followed the link in the confirmation e-mail: the request enters the queue."""
    request = IntakeRequest.objects.select_for_update().filter(confirmation_token=token).first() if token else None
    if request is None:
        raise DomainError(_("This confirmation link is not valid."), field="token", code="invalid_token")
    if request.status != S.AWAITING_CONFIRMATION:
        return request  # a second click changes nothing
    request.confirmed_at = now or timezone.now()
    _transition(request, S.IN_SCREENING, actor=None, reason=_("E-mail address confirmed."), now=now)
    return request


def _lock(request: IntakeRequest) -> IntakeRequest:
    return IntakeRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def request_add_message(*, request: IntakeRequest, actor, body: str, role: str, now=None) -> RequestMessage:
    """Add a message. When the requester answers a request for information, screening resumes."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message."), field="message", code="required")
    request = _lock(request)
    if request.status in (S.DECLINED, S.WITHDRAWN, S.CLOSED):
        raise ConflictError(
            _("The request is “%(status)s”; send a new request instead.") % {"status": S(request.status).label},
            field="status",
            code="request_finished",
        )
    client = actor if isinstance(actor, ApiClient) else None
    user = actor if client is None and getattr(actor, "is_authenticated", False) else None
    message = RequestMessage.objects.create(
        request=request,
        body=body,
        author_role=role,
        author_user=user,
        author_client=client,
        author_label=str(user) if user else client.name if client else request.contact_name,
    )
    if role == AuthorRole.REQUESTER and request.status == S.NEEDS_INFO:
        _transition(request, S.IN_SCREENING, actor=actor, reason=_("The requester added information."), now=now)
    elif role != AuthorRole.REQUESTER:
        email_queue(kind=emails.MESSAGE_ADDED, object_id=message.pk)
    return message


@transaction.atomic
def request_withdraw(*, request: IntakeRequest, actor, reason: str = "", now=None) -> IntakeRequest:
    request = _lock(request)
    _transition(request, S.WITHDRAWN, actor=actor, reason=reason, now=now)
    return request


@transaction.atomic
def request_ask_for_info(*, request: IntakeRequest, user, message: str, now=None) -> IntakeRequest:
    """Ask the requester for more information; the response clock pauses until they answer."""
    message = (message or "").strip()
    if not message:
        raise DomainError(_("Say what information you need."), field="message", code="required")
    request = _lock(request)
    _transition(request, S.NEEDS_INFO, actor=user, reason=message, now=now)
    RequestMessage.objects.create(
        request=request, body=message, author_role=AuthorRole.SCREENER, author_user=user, author_label=str(user)
    )
    return request


@transaction.atomic
def request_assign_institution(*, request: IntakeRequest, user, institution, now=None) -> IntakeRequest:
    """Move a request from the national queue to an institution's screeners (a platform admin's call)."""
    if institution is None:
        raise DomainError(_("Choose an institution."), field="institution", code="required")
    request = _lock(request)
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
        **_actor_fields(user),
    )
    email_queue(kind=emails.IN_QUEUE, object_id=request.pk)
    return request


@transaction.atomic
def request_update_checklist(*, request: IntakeRequest, user, checks: dict) -> IntakeRequest:
    request = _lock(request)
    for field in IntakeRequest.CHECKLIST_FIELDS:
        if field in checks:
            setattr(request, field, bool(checks[field]))
    request.save(update_fields=[*IntakeRequest.CHECKLIST_FIELDS, "updated_at"])
    return request


@transaction.atomic
def request_route(*, request: IntakeRequest, user, facilities: list, note: str = "", now=None) -> list[Routing]:
    """Send a screened request to one or more facilities, at any institution."""
    if not facilities:
        raise DomainError(_("Choose at least one facility."), field="facilities", code="required")
    request = _lock(request)
    _transition(request, S.ROUTED, actor=user, reason=note, now=now)
    routings = []
    for facility in dict.fromkeys(facilities):  # keep order, drop repeats
        routings.append(Routing.objects.create(request=request, facility=facility, note=note, routed_by=user))
    emails_queue(emails=[QueuedEmail(emails.ROUTED, routing.pk) for routing in routings])
    return routings


def _check_reason(reason: str, field: str = "reason") -> None:
    if reason not in DeclineReason.values:
        raise DomainError(
            _("Choose one of the reasons: %(reasons)s.") % {"reasons": ", ".join(DeclineReason.values)},
            field=field,
            code="invalid_choice",
        )


@transaction.atomic
def request_decline(*, request: IntakeRequest, user, reason: str, comment: str = "", now=None) -> IntakeRequest:
    """The screener declines: a reason from the list plus free text, both shown to the requester."""
    _check_reason(reason)
    request = _lock(request)
    request.decline_reason = reason
    request.decline_comment = comment or ""
    label = DeclineReason(reason).label
    _transition(request, S.DECLINED, actor=user, reason=f"{label}. {comment}".strip(), now=now)
    return request


@transaction.atomic
def request_close(
    *,
    request: IntakeRequest,
    user,
    reason: str,
    duplicate_of: IntakeRequest | None = None,
    comment: str = "",
    now=None,
) -> IntakeRequest:
    """Close a request as a duplicate (of another request), as spam, or when the matter is completed."""
    if reason not in CloseReason.values:
        raise DomainError(_("Unknown reason."), field="reason", code="invalid_choice")
    if duplicate_of is not None and duplicate_of.pk == request.pk:
        raise DomainError(_("A request cannot be a duplicate of itself."), field="duplicate_of")
    request = _lock(request)
    request.close_reason = reason
    request.duplicate_of = duplicate_of if reason == CloseReason.DUPLICATE else None
    text = str(CloseReason(reason).label)
    if duplicate_of is not None:
        text += f" (#{duplicate_of.pk})"
    _transition(request, S.CLOSED, actor=user, reason=f"{text}. {comment}".strip(" ."), now=now)
    return request


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
    request = _lock(routing.request)
    if request.status == S.ROUTED:
        _transition(request, S.ACCEPTED, actor=user, reason=proposal_text, now=now)
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
    _check_reason(reason)
    routing = _lock_routing(routing)
    request = _lock(routing.request)
    routing.status = RoutingStatus.DECLINED
    routing.decided_by = user
    routing.decided_at = now or timezone.now()
    routing.decline_reason = reason
    routing.decline_comment = comment or ""
    routing.save()
    still_waiting = request.routings.filter(status=RoutingStatus.PENDING).exists()
    if request.status == S.ROUTED and not still_waiting:
        label = DeclineReason(reason).label
        _transition(
            request,
            S.IN_SCREENING,
            actor=user,
            reason=_("%(facility)s declined: %(reason)s. %(comment)s")
            % {"facility": routing.facility, "reason": label, "comment": comment},
            now=now,
        )
    return routing


# --- Deadlines ------------------------------------------------------------------------------------------------


def deadline_reminders_send(*, now=None) -> int:
    """Remind screeners and managers of requests due within INTAKE_REMINDER_HOURS. Returns how many."""
    from intake import selectors

    now = now or timezone.now()
    due = selectors.requests_due_for_reminder(now=now)
    for request in due:
        with transaction.atomic():  # the e-mail is queued with the mark that it was sent, or neither
            IntakeRequest.objects.filter(pk=request.pk).update(reminded_at=now)
            email_queue(kind=emails.DEADLINE_REMINDER, object_id=request.pk)
    return len(due)


def deadline_escalations_send(*, now=None) -> int:
    """Tell the institution admins (platform admins for the national queue) about overdue requests."""
    from intake import selectors

    now = now or timezone.now()
    overdue = selectors.requests_overdue_for_escalation(now=now)
    for request in overdue:
        with transaction.atomic():  # the e-mail is queued with the mark that it was sent, or neither
            IntakeRequest.objects.filter(pk=request.pk).update(escalated_at=now)
            email_queue(kind=emails.DEADLINE_ESCALATION, object_id=request.pk)
    return len(overdue)


def unconfirmed_requests_close(*, now=None) -> int:
    """Close requests whose e-mail address was never confirmed within INTAKE_CONFIRMATION_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.INTAKE_CONFIRMATION_DAYS)
    closed = 0
    for request in IntakeRequest.objects.filter(status=S.AWAITING_CONFIRMATION, created_at__lt=cutoff):
        with transaction.atomic():
            request = _lock(request)
            request.close_reason = CloseReason.UNCONFIRMED
            _transition(request, S.CLOSED, actor=None, reason=str(CloseReason.UNCONFIRMED.label), now=now)
            closed += 1
    return closed


# --- API clients and webhooks -----------------------------------------------------------------------------------


@transaction.atomic
def api_client_create(*, name: str, kind: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """Create a client and its key. The key is returned once; only its hash is kept."""
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown:
        raise DomainError(
            _("Unknown scope: %(scopes)s. Known: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(Scope.values)},
            field="scopes",
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name, kind=kind, scopes=",".join(scopes), key_prefix=key[:12], key_hash=ApiClient.hash_key(key)
    )
    client.full_clean()
    client.save()
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, now=None) -> ApiClient:
    if client.revoked_at is None:
        client.revoked_at = now or timezone.now()
        client.save(update_fields=["revoked_at"])
    return client


def webhook_host_is_public(url: str) -> bool:
    """Whether the webhook URL's host resolves to public addresses only (core.net.host_is_public); development and
    tests may allow private hosts with INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS."""
    return host_is_public(url, allow_private=settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS)


@transaction.atomic
def webhook_register(*, client: ApiClient, url: str) -> ApiClient:
    """Set (or clear, with an empty url) the client's webhook URL; a new secret is made with each new URL."""
    if url and not webhook_host_is_public(url):
        raise DomainError(
            _("The webhook address must be a public internet address (not localhost or a private network)."),
            field="url",
            code="webhook_not_public",
        )
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    client.webhook_url = url or ""
    client.webhook_secret = secrets.token_hex(32) if url else ""
    try:
        client.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.message_dict.get("webhook_url", error.messages)), field="url") from None
    client.save(update_fields=["webhook_url", "webhook_secret"])
    return client


def webhook_signature(secret: str, body: bytes) -> str:
    """The value of the X-Labtorget-Signature header: 'sha256=' + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_attempt(*, delivery: WebhookDelivery, now=None) -> bool:
    """POST the delivery once; record the outcome. True when the receiver answered 2xx."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("client").get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.DELIVERED:
        return True
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Labtorget-Webhook/1",
        "X-Labtorget-Delivery": str(delivery.pk),
        "X-Labtorget-Event": delivery.payload.get("event", ""),
        "X-Labtorget-Signature": webhook_signature(delivery.client.webhook_secret, body),
    }
    delivery.attempts += 1
    try:
        if not webhook_host_is_public(delivery.url):  # checked again: the name may resolve elsewhere by now
            raise requests.RequestException(_("The webhook address is not a public internet address."))
        response = requests.post(
            delivery.url, data=body, headers=headers, timeout=settings.INTAKE_WEBHOOK_TIMEOUT, allow_redirects=False
        )
        delivery.last_status_code = response.status_code
        delivery.last_error = "" if response.ok else response.text[:500]
        ok = response.ok
    except requests.RequestException as error:
        delivery.last_status_code = None
        delivery.last_error = str(error)[:500]
        ok = False
    if ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.INTAKE_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + datetime.timedelta(seconds=webhook_backoff_seconds(delivery.attempts))
    delivery.save()
    return ok


def _queue_delivery(delivery_id: int) -> None:
    """Queue the delivery after commit; if the broker is unreachable, mark it for the next sweep instead."""

    def mark_for_the_sweep():
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, attempts=0).update(
            next_attempt_at=timezone.now()
        )

    task_queue_after_commit("intake.tasks.deliver_webhook", delivery_id, if_unreachable=mark_for_the_sweep)


@transaction.atomic
def requeue_unqueued_webhooks() -> int:
    """Queue again the deliveries whose task could not be queued: never attempted, yet a next attempt is due.

    A delivery that was queued has no next attempt until its first attempt fails, so one that merely waits in the
    queue (the worker is busy or down) is not queued twice.
    """
    unqueued = list(
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at__isnull=False)
        .values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=unqueued).update(next_attempt_at=None)
    for delivery_id in unqueued:
        _queue_delivery(delivery_id)
    return len(unqueued)


def webhook_backoff_seconds(attempts: int) -> int:
    """Exponential back-off: base, 2×base, 4×base, ... after the 1st, 2nd, 3rd failed attempt."""
    return settings.INTAKE_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
