"""Reads for the intake queue. Every list is filtered by who may see it (see policies.py)."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from catalogue import roles
from catalogue.models import FacilityManager
from intake.choices import CLOCK_RUNNING, NOT_YET_IN_QUEUE, RoutingStatus
from intake.models import ApiClient, IntakeRequest, Routing


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "institution", "preferred_institution", "preferred_facility", "preferred_category", "submitted_by_client"
    )


def requests_visible_to(actor) -> QuerySet:
    """Every request the actor may read: own ones, the screening queue, and those routed to their facilities."""
    if isinstance(actor, ApiClient):
        return _with_relations(IntakeRequest.objects.filter(submitted_by_client=actor))
    if not roles.is_authenticated(actor):
        return IntakeRequest.objects.none()
    condition = Q(requester=actor)
    queued = ~Q(status__in=NOT_YET_IN_QUEUE)
    screened = roles.screener_institution_ids(actor)
    if screened:
        condition |= Q(institution_id__in=screened) & queued
    if roles.is_platform_admin(actor):
        condition |= Q(institution__isnull=True) & queued
    managed = FacilityManager.objects.filter(user=actor).values("facility_id")
    condition |= Q(routings__facility_id__in=managed)
    return _with_relations(IntakeRequest.objects.filter(condition).distinct())


def screening_queue(user, *, include_closed: bool = False) -> QuerySet:
    """Requests the user screens: their institutions' queues, plus the national queue for platform admins."""
    condition = Q(institution_id__in=roles.screener_institution_ids(user))
    if roles.is_platform_admin(user):
        condition |= Q(institution__isnull=True)
    queryset = IntakeRequest.objects.filter(condition).exclude(status__in=NOT_YET_IN_QUEUE)
    if not include_closed:
        queryset = queryset.filter(status__in=["in_screening", "needs_info", "routed"])
    return _with_relations(queryset).order_by("deadline_at", "created_at")


def manager_inbox(user) -> QuerySet:
    """Routings to facilities the user manages, newest first."""
    managed = FacilityManager.objects.filter(user=user).values("facility_id")
    return (
        Routing.objects.filter(facility_id__in=managed)
        .select_related("request", "facility", "facility__institution")
        .order_by("status", "-routed_at")
    )


def request_detail(pk: int) -> IntakeRequest:
    return _with_relations(IntakeRequest.objects.all()).get(pk=pk)


def request_history(request: IntakeRequest) -> QuerySet:
    return request.events.select_related("actor_user", "actor_client")


def request_messages(request: IntakeRequest) -> QuerySet:
    return request.messages.all()


def request_routings(request: IntakeRequest) -> QuerySet:
    return request.routings.select_related("facility", "facility__institution")


def requests_due_for_reminder(*, now: datetime.datetime) -> list[IntakeRequest]:
    horizon = now + datetime.timedelta(hours=settings.INTAKE_REMINDER_HOURS)
    return list(
        IntakeRequest.objects.filter(
            status__in=CLOCK_RUNNING, deadline_at__gt=now, deadline_at__lte=horizon, reminded_at__isnull=True
        )
    )


def requests_overdue_for_escalation(*, now: datetime.datetime) -> list[IntakeRequest]:
    return list(IntakeRequest.objects.filter(status__in=CLOCK_RUNNING, deadline_at__lte=now, escalated_at__isnull=True))


def pending_routings(request: IntakeRequest) -> QuerySet:
    return request.routings.filter(status=RoutingStatus.PENDING).select_related("facility")


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client whose key this is, or None. Compares hashes in constant time."""
    import hmac

    if not key:
        return None
    client = ApiClient.objects.filter(key_prefix=key[:12]).first()
    if client is None or client.is_revoked:
        return None
    if not hmac.compare_digest(client.key_hash, ApiClient.hash_key(key)):
        return None
    return client


def is_overdue(request: IntakeRequest, *, now: datetime.datetime | None = None) -> bool:
    return bool(request.deadline_at and request.deadline_at <= (now or timezone.now()))


def dashboard_counts(user) -> dict:
    """What waits for the user: own open requests, requests in their screening queue, routings to answer."""
    from catalogue import roles as _roles

    if not _roles.is_authenticated(user):
        return {}
    open_statuses = ["awaiting_confirmation", "in_screening", "needs_info", "routed", "accepted"]
    counts = {"mine": IntakeRequest.objects.filter(requester=user, status__in=open_statuses).count()}
    if _roles.is_platform_admin(user) or _roles.screener_institution_ids(user):
        counts["queue"] = screening_queue(user).filter(status="in_screening").count()
    managed = FacilityManager.objects.filter(user=user).values("facility_id")
    counts["inbox"] = Routing.objects.filter(facility_id__in=managed, status=RoutingStatus.PENDING).count()
    return counts
