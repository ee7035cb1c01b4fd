"""Celery set-up helpers for tests that leave eager mode."""

import contextlib


def reset_connections(app):
    """Drop cached broker connections and producers so that they are made again from the current broker URL, and
    the queues and router cached from the default queue, so that later workers consume the queue they publish to.
    Also forget when outbox tasks were last queued (core.queue.task_drain_after_commit), so each test queues its
    own."""
    from core.queue import drains_forget

    drains_forget()
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)


@contextlib.contextmanager
def unreachable_broker():
    """Tasks are published (not run eagerly) to a broker address where nothing listens."""
    from config.celery import app

    keys = ("broker_url", "task_always_eager", "broker_connection_timeout")
    previous = {key: app.conf.get(key) for key in keys}
    app.conf.update(broker_url="redis://127.0.0.1:9/0", task_always_eager=False, broker_connection_timeout=1)
    reset_connections(app)
    try:
        yield
    finally:
        app.conf.update(previous)
        reset_connections(app)


@contextlib.contextmanager
def real_worker():
    """Tasks are published to the Redis named by LABTORGET_TEST_BROKER_URL, to a queue of this test's own (other
    test runs' workers on the same Redis must not take or leave its messages), and a real Celery worker (a thread)
    consumes it. Afterwards the settings are restored and the queue removed."""
    import os
    import uuid

    from celery.contrib.testing.worker import start_worker
    from celery.result import allow_join_result
    from kombu import Connection

    from config.celery import app

    broker = os.environ["LABTORGET_TEST_BROKER_URL"]
    keys = ("broker_url", "task_always_eager", "result_backend", "task_default_queue")
    previous = {key: app.conf.get(key) for key in keys}
    queue = f"test-{uuid.uuid4().hex}"
    app.conf.update(broker_url=broker, task_always_eager=False, result_backend=None, task_default_queue=queue)
    reset_connections(app)
    try:
        # A worker in this process marks it as one whose tasks must not wait for results; the mark stays after the
        # worker stops, and a later test's eager `.delay().get()` would be refused: restored on the way out. Under
        # load the worker thread may set it after that, so the tests' `.get()` say disable_sync_subtasks=False.
        with allow_join_result(), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.update(previous)
        reset_connections(app)
        with Connection(broker) as conn:
            conn.default_channel.client.delete(queue)


def wait_for(condition, seconds: float = 30) -> bool:
    """Wait until `condition()` holds (work done by a worker thread), or `seconds` have passed; whether it held."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
