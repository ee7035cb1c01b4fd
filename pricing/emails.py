"""Pricing e-mails, each in its recipient's language.

They go through core's outbox: `price_list_blocked_queue` queues one in the transaction that blocks the prices,
and the renderer registered in PricingConfig.ready() (`register`) makes the messages when the outbox sends them,
from the list as it is then (nothing, when the manager has corrected it meanwhile). A proposed collaboration
agreement goes to the facility's managers, their decision to its proposer and participants.
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
from pricing.choices import AgreementStatus
from pricing.models import CollaborationAgreement, PriceList

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


# The managers of a facility (object id: the agreement) are asked to approve a proposed collaboration agreement;
# the proposer and the participants hear the decision.
AGREEMENT_PROPOSED = "pricing.agreement_proposed"
AGREEMENT_DECIDED = "pricing.agreement_decided"


def agreement_proposed_queue(*, agreement: CollaborationAgreement) -> None:
    email_queue(kind=AGREEMENT_PROPOSED, object_id=agreement.pk)


def agreement_decided_queue(*, agreement: CollaborationAgreement) -> None:
    email_queue(kind=AGREEMENT_DECIDED, object_id=agreement.pk)


def _agreement(agreement_id: int) -> CollaborationAgreement | None:
    return (
        CollaborationAgreement.objects.select_related("facility__institution", "proposed_by")
        .prefetch_related("participants", "facility__managers__user")
        .filter(pk=agreement_id)
        .first()
    )


def _agreement_messages(agreement, recipients, *, subject, template, url) -> list[EmailMessage]:
    messages = []
    for recipient in recipients:
        if not recipient.email:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {"recipient": recipient, "agreement": agreement, "url": url}
            text = subject() % {"title": agreement.title, "facility": agreement.facility.name}
            body = render_to_string(template, context)
        messages.append(EmailMessage(text, body, to=[recipient.email]))
    return messages


def agreement_proposed_messages(agreement_id: int) -> list[EmailMessage]:
    """One message to each person who answers for the facility (its managers, else the institution's admins),
    asking them to approve or reject the agreement; none once it is decided."""
    agreement = _agreement(agreement_id)
    if agreement is None or agreement.status != AgreementStatus.PROPOSED:
        return []
    url = settings.SITE_URL + reverse("pricing:facility_agreements", args=[agreement.facility_id])
    return _agreement_messages(
        agreement, roles.responsible_people(agreement.facility),
        subject=lambda: _("Collaboration agreement to approve: %(title)s (%(facility)s)"),
        template="pricing/email/agreement_proposed.txt", url=url,
    )  # fmt: skip


def agreement_decided_messages(agreement_id: int) -> list[EmailMessage]:
    """One message to the proposer and to each participant: approved (from when), or rejected and why."""
    agreement = _agreement(agreement_id)
    if agreement is None or agreement.status == AgreementStatus.PROPOSED:
        return []
    people = {person.pk: person for person in agreement.participants.all()}
    if agreement.proposed_by is not None:
        people.setdefault(agreement.proposed_by.pk, agreement.proposed_by)
    url = settings.SITE_URL + reverse("pricing:my_agreements")
    if agreement.status == AgreementStatus.APPROVED:
        subject = lambda: _("Collaboration agreement approved: %(title)s (%(facility)s)")  # noqa: E731
    else:
        subject = lambda: _("Collaboration agreement rejected: %(title)s (%(facility)s)")  # noqa: E731
    return _agreement_messages(
        agreement, people.values(), subject=subject, template="pricing/email/agreement_decided.txt", url=url
    )


def register() -> None:
    """Make the pricing e-mails known to the outbox (PricingConfig.ready)."""
    email_kind_register(PRICE_LIST_BLOCKED, _render_price_list_blocked)
    email_kind_register(AGREEMENT_PROPOSED, lambda object_id, payload: agreement_proposed_messages(object_id))
    email_kind_register(AGREEMENT_DECIDED, lambda object_id, payload: agreement_decided_messages(object_id))
