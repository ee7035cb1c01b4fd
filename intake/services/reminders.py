"""The clock's writes: reminders, escalations and the closing of requests never confirmed."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.outbox import email_queue
from intake import emails
from intake.choices import (
    CloseReason,
)
from intake.models import IntakeRequest
from intake.services.state import S, request_lock, request_transition


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
            request = request_lock(request)
            request.close_reason = CloseReason.UNCONFIRMED
            request_transition(request, S.CLOSED, actor=None, reason=str(CloseReason.UNCONFIRMED.label), now=now)
            closed += 1
    return closed
