"""API clients and webhooks: keys, webhook registration, signed deliveries with back-off."""

import datetime
import hashlib
import hmac
import json
import secrets

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, DomainError
from core.net import AddressNotPublic, host_is_public, outgoing_session, scheme_is_allowed
from core.queue import task_queue_after_commit
from intake.choices import (
    DeliveryStatus,
    Scope,
)
from intake.models import ApiClient, WebhookDelivery

KEY_PREFIX = "lt_"


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def api_client_create(
    *, name: str, kind: str, scopes: list[str], organisation=None, created_by=None
) -> tuple[ApiClient, str]:
    """Create a client and its key. The key is returned once; only its hash is kept.

    On the organisation's page its admin makes a key for the cluster or TTO (`organisation`, `created_by`); an
    operator's command makes one for an organisation that is not registered here."""
    if not (name or "").strip():
        raise DomainError(_("Give the key a name, e.g. what uses it."), field="name", code="required")
    if not scopes:
        raise DomainError(_("Choose at least one scope."), field="scopes", code="required")
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown:
        raise DomainError(
            _("Unknown scope: %(scopes)s. Known: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(Scope.values)},
            field="scopes",
        )
    key = _new_key()
    client = ApiClient(
        name=name.strip(), kind=kind, scopes=",".join(dict.fromkeys(scopes)), key_prefix=key[:12],
        key_hash=ApiClient.hash_key(key), organisation=organisation, created_by=created_by,
    )  # fmt: skip
    client.full_clean()
    client.save()
    return client, key


@transaction.atomic
def api_client_rotate(*, client: ApiClient, now=None) -> tuple[ApiClient, str]:
    """Give the client a new key (returned once); the old one stops working at once. Its scopes, webhook and the
    requests it sent stay. A revoked key cannot be renewed: make a new one."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ConflictError(_("This key is revoked; make a new one."), field="client", code="revoked")
    key = _new_key()
    client.key_prefix, client.key_hash, client.rotated_at = key[:12], ApiClient.hash_key(key), now or timezone.now()
    client.save(update_fields=["key_prefix", "key_hash", "rotated_at"])
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, now=None) -> ApiClient:
    """The key stops working at once, for good (the requests it sent stay with its organisation)."""
    if client.revoked_at is None:
        client.revoked_at = now or timezone.now()
        client.save(update_fields=["revoked_at"])
    return client


def webhook_host_is_public(url: str) -> bool:
    """Whether the webhook URL's host resolves to public addresses only (core.net.host_is_public); development and
    tests may allow private hosts with INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS."""
    return host_is_public(url, allow_private=settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS)


def _webhook_scheme_is_allowed(url: str) -> bool:
    # A delivery carries the request's data: https only, except where private hosts are allowed (development).
    return scheme_is_allowed(url, allow_private=settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS)


@transaction.atomic
def webhook_register(*, client: ApiClient, url: str) -> ApiClient:
    """Set (or clear, with an empty url) the client's webhook URL; a new secret is made with each new URL."""
    if url and not webhook_host_is_public(url):
        raise DomainError(
            _("The webhook address must be a public internet address (not localhost or a private network)."),
            field="url",
            code="webhook_not_public",
        )
    if url and not _webhook_scheme_is_allowed(url):
        raise DomainError(
            _("The webhook address must start with https:// (a delivery carries the request's data)."),
            field="url",
            code="webhook_not_https",
        )
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    client.webhook_url = url or ""
    client.webhook_secret = secrets.token_hex(32) if url else ""
    try:
        client.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.message_dict.get("webhook_url", error.messages)), field="url") from None
    client.save(update_fields=["webhook_url", "webhook_secret"])
    return client


def webhook_signature(secret: str, body: bytes) -> str:
    """The value of the X-Labtorget-Signature header: 'sha256=' + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_attempt(*, delivery: WebhookDelivery, now=None) -> bool:
    """POST the delivery once; record the outcome. True when the receiver answered 2xx."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("client").get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.DELIVERED:
        return True
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Labtorget-Webhook/1",
        "X-Labtorget-Delivery": str(delivery.pk),
        "X-Labtorget-Event": delivery.payload.get("event", ""),
        "X-Labtorget-Signature": webhook_signature(delivery.client.webhook_secret, body),
    }
    delivery.attempts += 1
    try:
        if not webhook_host_is_public(delivery.url):  # checked again: the name may resolve elsewhere by now
            raise requests.RequestException(_("The webhook address is not a public internet address."))
        if not _webhook_scheme_is_allowed(delivery.url):
            raise requests.RequestException(_("The webhook address must start with https://."))
        # The session connects to the address it checks itself at that moment, so a name that answered the check
        # above with a public address and the connection with a private one (DNS rebinding) is refused there.
        with outgoing_session(allow_private=settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS) as session:
            response = session.post(
                delivery.url, data=body, headers=headers, timeout=settings.INTAKE_WEBHOOK_TIMEOUT,
                allow_redirects=False,
            )  # fmt: skip
        delivery.last_status_code = response.status_code
        delivery.last_error = "" if response.ok else response.text[:500]
        ok = response.ok
    except AddressNotPublic:
        delivery.last_status_code = None
        delivery.last_error = _("The webhook address is not a public internet address.")
        ok = False
    except requests.RequestException as error:
        delivery.last_status_code = None
        delivery.last_error = str(error)[:500]
        ok = False
    if ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.INTAKE_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + datetime.timedelta(seconds=webhook_backoff_seconds(delivery.attempts))
    delivery.save()
    return ok


def webhook_delivery_queue(delivery_id: int) -> None:
    """Queue the delivery after commit; if the broker is unreachable, mark it for the next sweep instead."""

    def mark_for_the_sweep():
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, attempts=0).update(
            next_attempt_at=timezone.now()
        )

    task_queue_after_commit("intake.tasks.deliver_webhook", delivery_id, if_unreachable=mark_for_the_sweep)


@transaction.atomic
def unqueued_webhooks_requeue() -> int:
    """Queue again the deliveries whose task could not be queued: never attempted, yet a next attempt is due.

    A delivery that was queued has no next attempt until its first attempt fails, so one that merely waits in the
    queue (the worker is busy or down) is not queued twice.
    """
    unqueued = list(
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at__isnull=False)
        .values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=unqueued).update(next_attempt_at=None)
    for delivery_id in unqueued:
        webhook_delivery_queue(delivery_id)
    return len(unqueued)


def webhook_backoff_seconds(attempts: int) -> int:
    """Exponential back-off: base, 2×base, 4×base, ... after the 1st, 2nd, 3rd failed attempt."""
    return settings.INTAKE_WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
