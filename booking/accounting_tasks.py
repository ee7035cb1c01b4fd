"""Celery tasks for the accounts. Thin: they call one service. Loaded through CELERY_IMPORTS (settings)."""

from celery import shared_task

from booking import accounting_services


@shared_task(name="booking.accounting_tasks.send_state_aid_alerts")
def send_state_aid_alerts(year: int | None = None) -> int:
    """Daily: e-mail institution admins about resources that crossed a state-aid threshold this year."""
    return accounting_services.state_aid_alerts_send(year=year)
