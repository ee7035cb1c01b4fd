"""The Celery application. Tasks are thin wrappers in each app's tasks.py that take primary keys."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("labtorget")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def send_after_commit(task, *args, run_here_if_unreachable: bool = True) -> None:
    """Queue `task` with `args` once the current transaction commits.

    The change is committed by then, so a broker that cannot take the message must not turn a stored booking or
    request into an error for the user. Nor should the message be lost: the task then runs here and now instead
    (its own failure is logged, not raised). Tasks that may wait long on others (webhook deliveries) pass
    `run_here_if_unreachable=False`: they stay recorded, and a periodic sweep queues them later.
    """
    from django.db import transaction

    transaction.on_commit(lambda: _publish_or_run(task, args, run_here_if_unreachable))


def _publish_or_run(task, args, run_here: bool) -> None:
    from kombu.exceptions import OperationalError

    try:
        task.delay(*args)
    except OperationalError:
        if not run_here:
            logger.error("The broker is unreachable: %s%r was not queued", task.name, args, exc_info=True)
            return
        logger.warning("The broker is unreachable: running %s%r in this process", task.name, args, exc_info=True)
        try:
            task.apply(args=args, throw=True)
        except Exception:
            logger.exception("%s%r failed in this process after the broker was unreachable", task.name, args)
