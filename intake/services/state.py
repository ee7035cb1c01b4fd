"""The state machine shared by the intake writes.

Every status change goes through `request_transition`, which enforces the state machine, keeps the history, moves
the response deadline and queues the requester's e-mail and the submitting client's webhook after commit.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import clusters_followed_by
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from intake import deadlines, emails
from intake.choices import (
    CLOCK_RUNNING,
    DeclineReason,
    RequestStatus,
    RoutingStatus,
)
from intake.models import ApiClient, IntakeRequest, RequestEvent, WebhookDelivery
from intake.services.clients import webhook_delivery_queue

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


def actor_fields(actor) -> dict:
    if isinstance(actor, str):  # someone without an account, by name (a facility's contact person)
        return {"actor_label": actor}
    if isinstance(actor, ApiClient):
        return {"actor_client": actor, "actor_label": actor.name}
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor_user": actor, "actor_label": str(actor)}
    return {"actor_label": _("the requester")}


def request_transition(request: IntakeRequest, to_status: str, *, actor, reason: str = "", now=None) -> RequestEvent:
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
        request=request, from_status=from_status, to_status=to_status, reason=reason, **actor_fields(actor)
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
    payload = {
        "event": "request.status_changed",
        "request_id": request.pk,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "at": event.created_at.isoformat(),
    }
    for client in _webhook_clients(request):
        delivery = WebhookDelivery.objects.create(
            client=client, request=request, url=client.webhook_url, payload=payload
        )
        webhook_delivery_queue(delivery.pk)


def _webhook_clients(request: IntakeRequest) -> list[ApiClient]:
    """The active keys with a webhook that follow the request: the key that sent it, the keys of the cluster or TTO
    that sent it, and those of the clusters its company lets follow its requests (intake.policies)."""
    clusters = Q(organisation_id=request.sent_by_organisation_id) if request.sent_by_organisation_id else Q()
    if request.organisation_id is not None:
        clusters |= Q(organisation_id__in=clusters_followed_by(request.organisation_id))
    condition = Q(pk=request.submitted_by_client_id) if request.submitted_by_client_id else Q(pk__in=[])
    if clusters:
        condition |= clusters
    return list(ApiClient.objects.filter(condition, revoked_at__isnull=True).exclude(webhook_url="").order_by("pk"))


def request_lock(request: IntakeRequest) -> IntakeRequest:
    return IntakeRequest.objects.select_for_update().get(pk=request.pk)


def decline_reason_check(reason: str, field: str = "reason") -> None:
    if reason not in DeclineReason.values:
        raise DomainError(
            _("Choose one of the reasons: %(reasons)s.") % {"reasons": ", ".join(DeclineReason.values)},
            field=field,
            code="invalid_choice",
        )
