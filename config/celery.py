"""The Celery application. Tasks are thin wrappers in each app's tasks.py that take primary keys."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("labtorget")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def send_after_commit(task, *args, if_unreachable=None) -> None:
    """Queue `task` with `args` once the current transaction commits.

    The change is committed by then, so a broker that cannot take the message must not turn a stored booking or
    request into an error for the user. Nor should the message be lost: the task then runs here and now instead,
    once (its failure is logged, not raised). Tasks that may wait long on others (webhook deliveries) pass
    `if_unreachable`, a function called instead that records the task for a later sweep.
    """
    from django.db import transaction

    transaction.on_commit(lambda: _publish_or_run(task, args, if_unreachable))


def _publish_or_run(task, args, if_unreachable) -> None:
    from kombu.exceptions import OperationalError

    try:
        task.delay(*args)
        return
    except OperationalError:
        logger.warning("The broker is unreachable: %s%r was not queued", task.name, args, exc_info=True)
    try:
        if if_unreachable is not None:
            if_unreachable()
        else:  # one attempt: the task's own retries would wait inside the user's request
            task.apply(args=args, retries=task.max_retries or 0, throw=True)
    except Exception:
        logger.exception("%s%r failed after the broker was unreachable", task.name, args)
