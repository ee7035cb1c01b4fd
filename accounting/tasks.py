"""Celery tasks for the accounts. Thin: each calls one service."""

from celery import shared_task

from accounting import services


@shared_task(name="accounting.tasks.send_state_aid_alerts")
def send_state_aid_alerts(year: int | None = None) -> int:
    """Daily: e-mail institution admins about resources that crossed a state-aid threshold this year."""
    return services.state_aid_alerts_send(year=year)
