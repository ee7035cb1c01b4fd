"""Celery tasks of the statistics. Thin: each calls one service."""

from celery import shared_task

from accounting.selectors import current_year
from reporting import services


@shared_task(name="reporting.tasks.rebuild_statistics")
def rebuild_statistics(year: int | None = None) -> int:
    """Hourly: rebuild this year's figures (and last year's, whose bookings may still be completed or charged)."""
    years = [year] if year else [current_year() - 1, current_year()]
    return sum(services.statistics_rebuild(year=each) for each in years)
