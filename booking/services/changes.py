"""What the writes on a booking share: the payer and price it carries, the locked row, a status change.

A status change is saved with its history entry and, when it has one, its e-mail queued in core's outbox, in the
caller's transaction.
"""

from accounts.selectors import payer_for
from booking.emails import email_kinds, outbox_write
from booking.models import Booking
from booking.services.storing import booking_event_record
from pricing.selectors import booking_quote


def payer_fields(user, organisation=None) -> dict:
    """The payer from verified facts (accounts.selectors.payer_for): an organisation the user is an approved
    member of, the institution of a verified affiliation, else the user by name. Naming an organisation the user
    is not an approved member of is refused (403 not_a_member)."""
    payer = payer_for(user, organisation)
    return {
        "payer_name": payer.name[:200],
        "payer_org_number": payer.org_number,
        "payer_institution": payer.institution,
        "payer_organisation": payer.organisation,
    }


def price_fields(*, resource, user, activity, start, end) -> dict:
    quote = booking_quote(resource=resource, user=user, activity=activity, start=start, end=end)
    if quote is None:
        return {}
    return {
        "price_tier": quote.tier,
        "price_unit": quote.unit,
        "unit_price": quote.unit_price,
        "quantity": quote.quantity,
        "net_amount": quote.net_amount,
        "vat_rate": quote.vat_rate,
        "vat_amount": quote.vat_amount,
        "total_amount": quote.total_amount,
        "currency": quote.currency,
        "price_list_id": quote.price_list_id,
    }


def booking_lock(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("resource__facility", "user").get(pk=booking.pk)


def booking_status_change(
    booking: Booking, *, to: str, actor, action: str, reason: str = "", email: str | None = None,
    extra_fields: tuple[str, ...] = (), details=None,
):  # fmt: skip
    previous = booking.status
    booking.status = to
    if reason:
        booking.decision_reason = reason
    booking.save(update_fields=["status", "decision_reason", "updated_at", *extra_fields])
    booking_event_record(booking, actor=actor, action=action, from_status=previous, reason=reason, details=details)
    if email:
        outbox_write(booking.pk, email_kinds(email))
    return booking
