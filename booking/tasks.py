"""Celery tasks: thin wrappers that take primary keys and call the services."""

from celery import shared_task

from booking import emails, services


@shared_task(name="booking.tasks.send_queued_emails")
def send_queued_emails() -> int:
    return services.send_queued_emails()


# The tasks of one e-mail each, from before the outbox: kept so that messages already queued under these names
# (retries waiting their turn, web processes of the previous release during a deploy) are still sent.
@shared_task(name="booking.tasks.send_booking_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_booking_email(booking_id: int, kind: str) -> bool:
    return emails.send_booking_email(booking_id, kind)


@shared_task(name="booking.tasks.send_request_to_managers", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_request_to_managers(booking_id: int) -> int:
    return emails.send_request_to_managers(booking_id)


@shared_task(name="booking.tasks.expire_pending_bookings")
def expire_pending_bookings() -> int:
    return services.pending_bookings_expire()


@shared_task(name="booking.tasks.complete_ended_bookings")
def complete_ended_bookings() -> int:
    return services.bookings_complete_due()


@shared_task(name="booking.tasks.send_reminders")
def send_reminders() -> int:
    return services.booking_reminders_send()
