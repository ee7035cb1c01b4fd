"""Writes for the intake queue. Callers use the names exported here; the modules split the work:

- `state`: the state machine (`request_transition`), the history and the notifications of a status change;
- `lifecycle`: submit, confirm, messages, withdraw, ask for information, checklist, decline, close;
- `queues`: handing a request to another institution's queue, referring it outside the register;
- `routing`: routing a request to facilities, and the facilities' answers (in the portal or by signed link);
- `proposals`: the agreement that comes with a proposal, and the requester accepting or declining it;
- `reminders`: the clock's reminders and escalations, closing requests never confirmed;
- `clients`: API clients and webhooks.
"""

from intake.services.clients import (
    KEY_PREFIX,
    api_client_create,
    api_client_revoke,
    api_client_rotate,
    unqueued_webhooks_requeue,
    webhook_attempt,
    webhook_backoff_seconds,
    webhook_delivery_queue,
    webhook_host_is_public,
    webhook_register,
    webhook_signature,
)
from intake.services.lifecycle import (
    request_add_message,
    request_ask_for_info,
    request_close,
    request_confirm_email,
    request_decline,
    request_submit,
    request_update_checklist,
    request_withdraw,
)
from intake.services.proposals import proposal_decide
from intake.services.queues import request_assign_institution, request_refer
from intake.services.reminders import deadline_escalations_send, deadline_reminders_send, unconfirmed_requests_close
from intake.services.routing import (
    request_route,
    routing_accept,
    routing_accept_by_link,
    routing_decline,
    routing_decline_by_link,
)
from intake.services.state import ALLOWED_TRANSITIONS, request_lock, request_transition

__all__ = [
    "ALLOWED_TRANSITIONS", "KEY_PREFIX", "api_client_create", "api_client_revoke", "api_client_rotate",
    "deadline_escalations_send",
    "deadline_reminders_send", "proposal_decide", "request_add_message", "request_ask_for_info",
    "request_assign_institution", "request_close", "request_confirm_email", "request_decline", "request_lock",
    "request_refer", "request_route", "request_submit", "request_transition", "request_update_checklist",
    "request_withdraw", "routing_accept", "routing_accept_by_link", "routing_decline", "routing_decline_by_link",
    "unconfirmed_requests_close", "unqueued_webhooks_requeue", "webhook_attempt", "webhook_backoff_seconds",
    "webhook_delivery_queue", "webhook_host_is_public", "webhook_register", "webhook_signature",
]  # fmt: skip
