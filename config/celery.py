"""The Celery application. Tasks are thin wrappers in each app's tasks.py that take primary keys."""

import logging
import os
import threading
import time

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


def _publish_or_run(task, args, if_unreachable, **options) -> bool:
    """Queue `task`; whether the broker took it. If not, run it here once, or call `if_unreachable`."""
    from kombu.exceptions import OperationalError

    try:
        task.apply_async(args=args, **options)
        return True
    except OperationalError:
        logger.warning("The broker is unreachable: %s%r was not queued", task.name, args, exc_info=True)
    try:
        if if_unreachable is not None:
            if_unreachable()
        else:  # one attempt: the task's own retries would wait inside the user's request
            task.apply(args=args, retries=task.max_retries or 0, throw=True)
    except Exception:
        logger.exception("%s%r failed after the broker was unreachable", task.name, args)
    return False


_last_drain_queued: dict[str, float] = {}
_drain_lock = threading.Lock()


def drain_after_commit(task, *, within: float, if_unreachable) -> None:
    """Queue `task`, which sends what an outbox table holds, once the current transaction commits; but at most once
    per `within` seconds from this process.

    Each queued run waits `within` seconds (countdown) before it starts, so a row committed after the last queued
    run but less than `within` seconds after it is still seen by that run: a row is never left behind by the
    skipping (a lost message or clocks that disagree leave it to the periodic sweep instead). This turns one broker
    message per change into one per second per process. With eager tasks (development) the task runs at once.
    If the broker cannot take the message, `if_unreachable` is called instead.
    """
    from django.db import transaction

    transaction.on_commit(lambda: _queue_drain(task, within, if_unreachable))


def _queue_drain(task, within: float, if_unreachable) -> None:
    eager = app.conf.task_always_eager  # the task runs at once (development): nothing to batch
    started = time.monotonic()
    if not eager:
        with _drain_lock:
            last = _last_drain_queued.get(task.name)
            if last is not None and started - last < within:
                return  # a run queued at `last` starts after `last + within`, so after this commit
    # The countdown runs from about `started`. The time is recorded only once the broker took the message: a commit
    # that meets an unreachable broker is never skipped, so each one sends its own e-mails (`if_unreachable`).
    if _publish_or_run(task, (), if_unreachable, countdown=within) and not eager:
        with _drain_lock:
            _last_drain_queued[task.name] = max(started, _last_drain_queued.get(task.name, started))
