"""Queueing Celery tasks once the current transaction commits, by the task's registered name.

Services name the task they want run ("intake.tasks.deliver_webhook") instead of importing it: the task is
looked up in the Celery app's registry at call time, so a service never imports a tasks module, tasks stay thin
wrappers that take ids and call services, and no app depends on another app's tasks. With eager Celery
(development, tests) the task still runs in this process, after the commit.
"""

import logging
import threading
import time

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def task_lookup(name: str):
    """The Celery task registered as `name`.

    A web process has imported only the tasks modules that something else imported; on a miss the app's task
    modules are imported (Celery's autodiscovery, as a worker does at start) and the name looked up again. An
    unknown name is a programming error, raised here, before anything is committed.
    """
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    try:
        return tasks[name]
    except KeyError:
        raise LookupError(f"No Celery task is registered as {name!r}.") from None


def task_queue_after_commit(name: str, *args, if_unreachable=None) -> None:
    """Queue the task registered as `name` with `args` once the current transaction commits.

    The change is committed by then, so a broker that cannot take the message must not turn a stored booking or
    request into an error for the user. Nor should the message be lost: the task then runs here and now instead,
    once (its failure is logged, not raised). Tasks that may wait long on others (webhook deliveries) pass
    `if_unreachable`, a function called instead that records the task for a later sweep.
    """
    task = task_lookup(name)
    transaction.on_commit(lambda: task_publish_or_run(task, args, if_unreachable))


def task_publish_or_run(task, args, if_unreachable, **options) -> bool:
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


def task_drain_after_commit(name: str, *, within: float, if_unreachable) -> None:
    """Queue the task registered as `name`, which sends what an outbox table holds, once the current transaction
    commits; but at most once per `within` seconds from this process.

    Each queued run waits `within` seconds (countdown) before it starts, so a row committed after the last queued
    run but less than `within` seconds after it is still seen by that run: a row is never left behind by the
    skipping (a lost message or clocks that disagree leave it to the periodic sweep instead). This turns one broker
    message per change into one per second per process. With eager tasks (development) the task runs at once.
    If the broker cannot take the message, `if_unreachable` is called instead.
    """
    task = task_lookup(name)
    transaction.on_commit(lambda: task_drain_now(task, within=within, if_unreachable=if_unreachable))


def task_drain_now(task, *, within: float, if_unreachable) -> None:
    """What `task_drain_after_commit` does at the commit: queue `task` with a countdown of `within` seconds,
    unless this process queued it less than `within` seconds ago."""
    eager = current_app.conf.task_always_eager  # the task runs at once (development): nothing to batch
    started = time.monotonic()
    if not eager:
        with _drain_lock:
            last = _last_drain_queued.get(task.name)
            if last is not None and started - last < within:
                return  # a run queued at `last` starts after `last + within`, so after this commit
    # The countdown runs from about `started`. The time is recorded only once the broker took the message: a commit
    # that meets an unreachable broker is never skipped, so each one sends its own e-mails (`if_unreachable`).
    if task_publish_or_run(task, (), if_unreachable, countdown=within) and not eager:
        with _drain_lock:
            _last_drain_queued[task.name] = max(started, _last_drain_queued.get(task.name, started))


def drains_forget() -> None:
    """Forget when each drain task was last queued, so that the next commit queues it again (tests that switch
    brokers, where a run queued to the previous broker will never come)."""
    with _drain_lock:
        _last_drain_queued.clear()
