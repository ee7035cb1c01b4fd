"""Webhooks are POSTed to a real HTTP server on 127.0.0.1; the test verifies the signature as a receiver would."""

import hashlib
import hmac
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils.translation import gettext

from intake import services
from intake.models import WebhookDelivery
from tests.broker import unreachable_broker
from tests.core.rebinding import Listener, rebinding_resolver

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        self.times = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                receiver.times.append(time.monotonic())
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def register(client, key, url) -> str:
    response = client.put(
        "/api/v1/intake/webhook/", {"url": url}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200, response.json()
    return response.json()["secret"]


def test_each_status_change_is_posted_with_a_valid_signature(
    client, world, valid_request, django_capture_on_commit_callbacks
):
    with Receiver([]) as receiver:
        secret = register(client, world.key, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            created = client.post(
                "/api/v1/intake/requests/",
                {**valid_request, "preferred_institution": "uio"},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {world.key}",
            ).json()
        client.force_login(world.screener)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                f"/api/v1/intake/requests/{created['id']}/request-info/",
                {"message": "Mer?"},
                content_type="application/json",
            )
    assert len(receiver.received) == 2
    for headers, body in receiver.received:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Labtorget-Signature"], expected)
        assert headers["X-Labtorget-Event"] == "request.status_changed"
    payloads = [json.loads(body) for _, body in receiver.received]
    assert [(p["from_status"], p["to_status"]) for p in payloads] == [
        ("submitted", "in_screening"),
        ("in_screening", "needs_info"),
    ]
    assert payloads[1]["request_id"] == created["id"]
    # A tampered body does not verify.
    headers, body = receiver.received[0]
    assert (
        headers["X-Labtorget-Signature"]
        != "sha256=" + hmac.new(secret.encode(), body + b" ", hashlib.sha256).hexdigest()
    )


def test_failed_delivery_is_retried_with_backoff_and_logged_for_the_client(
    client, world, valid_request, django_capture_on_commit_callbacks
):
    with Receiver([500, 503, 200]) as receiver:
        register(client, world.key, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/api/v1/intake/requests/",
                valid_request,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {world.key}",
            )
    assert len(receiver.received) == 3
    assert len({h["X-Labtorget-Delivery"] for h, _ in receiver.received}) == 1  # the same delivery each time
    log = client.get("/api/v1/intake/webhook/deliveries/", HTTP_AUTHORIZATION=f"Token {world.key}").json()
    assert log["count"] == 1
    entry = log["results"][0]
    assert (entry["status"], entry["attempts"], entry["last_status_code"]) == ("delivered", 3, 200)
    # Another client sees none of it.
    other = client.get("/api/v1/intake/webhook/deliveries/", HTTP_AUTHORIZATION=f"Token {world.other_key}").json()
    assert other["count"] == 0


def test_delivery_gives_up_after_the_maximum_attempts(
    client, world, valid_request, settings, django_capture_on_commit_callbacks
):
    settings.INTAKE_WEBHOOK_MAX_ATTEMPTS = 2
    with Receiver([500, 500, 500]) as receiver:
        register(client, world.key, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/api/v1/intake/requests/",
                valid_request,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {world.key}",
            )
    assert len(receiver.received) == 2
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 2, 500)


def test_backoff_doubles(settings):
    settings.INTAKE_WEBHOOK_BACKOFF_SECONDS = 30
    assert [services.webhook_backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_an_unreachable_receiver_is_recorded_not_raised(world, valid_request):
    api_client = services.webhook_register(client=world.client, url="http://127.0.0.1:9/nothing-listens")
    request = services.request_submit(data=valid_request, client=api_client)
    delivery = WebhookDelivery.objects.get(request=request)
    assert services.webhook_attempt(delivery=delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_error
    assert delivery.next_attempt_at is not None


def test_webhook_url_must_be_a_url(client, world):
    response = client.put(
        "/api/v1/intake/webhook/",
        {"url": "not a url"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {world.key}",
    )
    assert response.status_code == 400
    assert "url" in response.json()


def test_people_cannot_register_webhooks(client, world):
    client.force_login(world.company)
    assert (
        client.put(
            "/api/v1/intake/webhook/", {"url": "http://127.0.0.1/x"}, content_type="application/json"
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
    ],
)
def test_webhooks_to_the_platform_itself_or_private_networks_are_refused(client, world, settings, url):
    settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = client.put(
        "/api/v1/intake/webhook/",
        {"url": url},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {world.key}",
    )
    assert response.status_code == 400
    assert "url" in response.json()
    world.client.refresh_from_db()
    assert world.client.webhook_url == ""


def test_a_public_address_is_accepted(client, world, settings):
    settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = client.put(
        "/api/v1/intake/webhook/",
        {"url": "https://93.184.216.34/hook"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {world.key}",
    )
    assert response.status_code == 200


def test_a_stored_url_that_now_points_inside_is_not_called(world, valid_request, settings):
    with Receiver([]) as receiver:
        api_client = services.webhook_register(client=world.client, url=receiver.url)
        settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
        request = services.request_submit(data=valid_request, client=api_client)
        delivery = WebhookDelivery.objects.get(request=request)
        assert services.webhook_attempt(delivery=delivery) is False
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.last_error


def test_a_webhook_whose_name_rebinds_to_a_private_address_is_never_connected_to(
    world, valid_request, settings, monkeypatch
):
    """DNS rebinding: the name answers a public address to the check before the POST and 127.0.0.1 to the
    connection; the request's data never reaches the private address."""
    with Listener() as listener:
        api_client = services.webhook_register(
            client=world.client, url=f"https://hooks.rebind.example:{listener.port}/"
        )
        settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
        rebinding_resolver(monkeypatch, "hooks.rebind.example")
        request = services.request_submit(data=valid_request, client=api_client)
        delivery = WebhookDelivery.objects.get(request=request)
        assert services.webhook_attempt(delivery=delivery) is False
    assert listener.accepted == 0
    delivery.refresh_from_db()
    assert delivery.last_error == gettext("The webhook address is not a public internet address.")


def test_a_plain_http_webhook_is_refused_in_production(client, world, settings):
    settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = client.put(
        "/api/v1/intake/webhook/",
        {"url": "http://93.184.216.34/hook"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {world.key}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "webhook_not_https"
    world.client.refresh_from_db()
    assert world.client.webhook_url == ""


def test_a_stored_plain_http_webhook_is_not_called_in_production(world, valid_request, settings):
    """An address stored while plain http was allowed (development) is not called once it is not."""
    api_client = services.webhook_register(client=world.client, url="http://93.184.216.34/hook")
    settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    request = services.request_submit(data=valid_request, client=api_client)
    delivery = WebhookDelivery.objects.get(request=request)
    assert services.webhook_attempt(delivery=delivery) is False
    delivery.refresh_from_db()
    assert delivery.last_error == gettext("The webhook address must start with https://.")


@pytest.mark.django_db(transaction=True)
def test_a_delivery_the_broker_could_not_take_is_sent_by_the_sweep(client, world, valid_request, caplog):
    """The request is stored (201) even when the broker is down; the delivery waits in the log, unattempted and
    due, and the periodic sweep queues it. A delivery that was queued and merely waits is not queued twice."""
    from intake import tasks

    caplog.set_level(logging.WARNING, logger="core.queue")  # a Celery test worker may have raised the root level
    with Receiver([]) as receiver:
        register(client, world.key, receiver.url)
        with unreachable_broker():
            created = client.post(
                "/api/v1/intake/requests/", valid_request, content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {world.key}",
            )  # fmt: skip
        assert created.status_code == 201
        assert "was not queued" in caplog.text
        unqueued = WebhookDelivery.objects.get()
        assert (unqueued.status, unqueued.attempts, receiver.received) == ("pending", 0, [])
        assert unqueued.next_attempt_at is not None
        waiting = WebhookDelivery.objects.create(client=unqueued.client, url=unqueued.url, payload={"event": "x"})
        assert tasks.requeue_unqueued_webhooks() == 1
        assert tasks.requeue_unqueued_webhooks() == 0
    unqueued.refresh_from_db()
    waiting.refresh_from_db()
    assert (unqueued.status, unqueued.attempts, len(receiver.received)) == ("delivered", 1, 1)
    assert (waiting.status, waiting.attempts) == ("pending", 0)
