"""Celery set-up helpers for tests that leave eager mode."""

import contextlib


def reset_connections(app):
    """Drop cached broker connections and producers so that they are made again from the current broker URL, and
    the queues and router cached from the default queue, so that later workers consume the queue they publish to.
    Also forget when outbox tasks were last queued (config.celery.drain_after_commit), so each test queues its own."""
    from config import celery

    celery._last_drain_queued.clear()
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
