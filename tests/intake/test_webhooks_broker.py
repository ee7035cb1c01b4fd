"""Webhook retries through a real Celery worker and Redis broker: the back-off is a real countdown."""

import os
import time

import pytest

from config.celery import app
from intake import services
from intake.models import WebhookDelivery
from tests.intake.test_webhooks import Receiver

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker(settings):
    from celery.contrib.testing.worker import start_worker

    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=os.environ["LABTORGET_TEST_BROKER_URL"], task_always_eager=False, result_backend=None)
    _forget_connections()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.update(previous)
    _forget_connections()


def _forget_connections():
    """Earlier tests may have made the app's producer pool for the default broker; drop it so the new URL is used."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_failed_delivery_is_retried_by_the_worker_after_the_backoff(world, valid_request, settings, celery_worker):
    settings.INTAKE_WEBHOOK_BACKOFF_SECONDS = 1
    with Receiver([500, 200]) as receiver:
        api_client = services.webhook_register(client=world.client, url=receiver.url)
        # The status change queues the delivery on commit; the worker takes it from Redis.
        request = services.request_submit(data=valid_request, client=api_client)
        delivery = WebhookDelivery.objects.get(request=request)
        assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered")
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(receiver.received) == 2
    # The second attempt waited at least the back-off (a lower bound only, never an upper one).
    assert receiver.times[1] - receiver.times[0] >= 1
