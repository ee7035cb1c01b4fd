"""Pricing e-mails, each in its recipient's language.

They go through core's outbox: `price_list_blocked_queue` queues one in the transaction that blocks the prices,
and the renderer registered in PricingConfig.ready() (`register`) makes the messages when the outbox sends them,
from the list as it is then (nothing, when the manager has corrected it meanwhile).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalogue import roles
from core.outbox import email_kind_register, email_queue
from pricing import selectors
from pricing.models import PriceList

# The managers of a facility (object id: the price list) hear that a raised cost base blocked economic prices.
PRICE_LIST_BLOCKED = "pricing.price_list_blocked"


def price_list_blocked_queue(*, price_list: PriceList) -> None:
    """Tell the facility's managers that prices of `price_list` are blocked (sent after the caller's commit)."""
    email_queue(kind=PRICE_LIST_BLOCKED, object_id=price_list.pk)


def price_list_blocked_messages(price_list_id: int) -> list[EmailMessage]:
    """One message to each person who answers for the list's facility (its managers, else the institution's
    admins), naming the blocked prices and why; none when the list is gone or no longer blocked."""
    price_list = (
        PriceList.objects.select_related("resource__facility__institution")
        .prefetch_related("items", "resource__facility__managers__user")
        .filter(pk=price_list_id)
        .first()
    )
    if price_list is None or not price_list.blocked_items:
        return []
    resource = price_list.resource
    url = settings.SITE_URL + reverse("pricing:price_lists", args=[resource.pk])
    messages = []
    for recipient in roles.responsible_people(resource.facility):
        if not recipient.email:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {
                "recipient": recipient,
                "resource": resource,
                "price_list": price_list,
                "reasons": selectors.blocked_price_messages(price_list),
                "url": url,
            }
            subject = _("Prices blocked: %(resource)s is below full cost") % {"resource": resource.name}
            body = render_to_string("pricing/email/price_list_blocked.txt", context)
        messages.append(EmailMessage(subject, body, to=[recipient.email]))
    return messages


def _render_price_list_blocked(object_id: int, payload: dict) -> list[EmailMessage]:
    return price_list_blocked_messages(object_id)


def register() -> None:
    """Make the pricing e-mails known to the outbox (PricingConfig.ready)."""
    email_kind_register(PRICE_LIST_BLOCKED, _render_price_list_blocked)
