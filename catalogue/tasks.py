from celery import shared_task

from catalogue import services


@shared_task
def send_freshness_reminders() -> int:
    """Weekly (see CELERY_BEAT_SCHEDULE): remind managers of entries not verified for a year."""
    return services.freshness_reminders_send()
