"""What the writes on a booking share: the payer and price it carries, the locked row, a status change.

A status change is saved with its history entry and, when it has one, its e-mail queued in core's outbox, in the
caller's transaction.
"""

from decimal import Decimal

from django.utils import timezone

from accounts.selectors import payer_for
from booking.emails import email_kinds, outbox_write
from booking.models import Booking
from booking.services.storing import booking_event_record
from pricing.choices import PriceUnit
from pricing.selectors import agreed_quote, booking_price, quote_for_terms, use_terms_priced
from pricing.terms import VatTreatment


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


def price_fields(
    *, resource, user, access_model, start, end, activity=None, collaboration_agreement=None,
    agreed_net_amount: Decimal | None = None,
) -> dict:  # fmt: skip
    """The terms and the price snapshot of a use (pricing decides them from verified facts): the activity, the
    agreement behind a non-economic use, the VAT category and its reason, and the price when there is one.
    With `agreed_net_amount` (an accepted intake proposal) the price is that amount with the terms' tier and VAT,
    not the price list's. DomainError naming the field when the person may not have the activity or agreement
    asked for."""
    if agreed_net_amount is None:
        found, quote = booking_price(
            resource=resource, user=user, access_model=access_model, start=start, end=end, activity=activity,
            collaboration_agreement=collaboration_agreement,
        )  # fmt: skip
    else:
        found = use_terms_priced(
            user=user, resource=resource, access_model=access_model, day=timezone.localdate(start),
            collaboration_agreement=collaboration_agreement, activity=activity,
        )  # fmt: skip
        quote = agreed_quote(found=found, net_amount=agreed_net_amount)
    fields = {
        "activity": found.terms.activity,
        "collaboration_agreement": found.agreement,
        "vat_category": found.vat.category,
        "vat_reason_code": found.vat.reason_code,
        "vat_reason": found.vat.reason,
    }
    if quote is None:
        return fields
    return {
        **fields,
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


QUOTE_NAMES = {"price_tier": "tier", "price_unit": "unit"}  # booking field -> Quote attribute
PRICE_SNAPSHOT_FIELDS = (
    "price_tier", "price_unit", "unit_price", "quantity", "net_amount", "vat_rate", "vat_amount", "total_amount",
    "price_list_id",
)  # fmt: skip


def booking_price_again(booking: Booking, *, start, end) -> None:
    """Price `booking` again for [start, end) (moved, or its used time recorded) on the terms it was booked under
    (tier and VAT), from the price list valid at `start`; the caller saves PRICE_SNAPSHOT_FIELDS. Without a price
    it stays without. A price agreed in intake (a fixed amount, no price list behind it:
    pricing.selectors.agreed_quote) is what the company accepted for the use and stays as agreed; priced again
    from the list it could even become free."""
    agreed = booking.price_list_id is None and booking.price_unit == PriceUnit.FIXED
    if not booking.price_tier or agreed:
        return
    vat = VatTreatment(booking.vat_category, booking.vat_rate or 0, booking.vat_reason_code, booking.vat_reason)
    quote = quote_for_terms(resource=booking.resource, tier=booking.price_tier, vat=vat, start=start, end=end)
    for name in PRICE_SNAPSHOT_FIELDS:  # the list valid at the start has no price for its tier: no price
        setattr(booking, name, getattr(quote, QUOTE_NAMES.get(name, name)) if quote else None)
    if quote is None:
        booking.price_tier = booking.price_unit = ""
