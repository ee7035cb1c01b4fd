"""Celery tasks: thin wrappers that take primary keys and call the services."""

from celery import shared_task

from booking import services


@shared_task(name="booking.tasks.send_queued_emails")
def send_queued_emails() -> int:
    return services.send_queued_emails()


@shared_task(name="booking.tasks.expire_pending_bookings")
def expire_pending_bookings() -> int:
    return services.expire_pending_bookings()


@shared_task(name="booking.tasks.send_reminders")
def send_reminders() -> int:
    return services.send_due_reminders()
