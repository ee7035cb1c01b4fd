"""Webhook retries through a real Celery worker and Redis broker: the back-off is a real countdown."""

import pytest

from intake import services
from intake.models import WebhookDelivery
from tests.broker import real_worker, wait_for
from tests.intake.test_webhooks import Receiver

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker():
    with real_worker():
        yield


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
