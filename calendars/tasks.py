"""Celery tasks: thin wrappers that take ids and call the services."""

from celery import shared_task

from calendars import services


@shared_task(name="calendars.tasks.sync_due_calendars")
def sync_due_calendars() -> int:
    """Beat, every minute: queue the feeds whose turn it is, and tell managers of feeds gone stale."""
    queued = services.calendars_sync_queue()
    services.stale_calendars_notify()
    return queued


@shared_task(name="calendars.tasks.sync_external_calendar", acks_late=True)
def sync_external_calendar(calendar_id: int) -> str:
    outcome = services.external_calendar_sync(calendar_id=calendar_id)
    return "gone" if outcome is None else (outcome.error or "ok")
