"""Service orders: staff-run work ordered from a facility at an agreed price (an accepted intake quote)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import policies
from booking.choices import ServiceOrderStatus
from booking.emails import service_order_outbox_write
from booking.models import ServiceOrder
from booking.services.changes import payer_fields
from booking.services.rules import resource_orderability
from catalogue.choices import AccessModel
from catalogue.models import Resource
from core.errors import ConflictError, DomainError
from core.policies import require
from pricing.selectors import agreed_quote, use_terms_priced

# Work done by the facility's staff: a service, or commissioned research (collaboration research under an
# agreement may also be staff-run).
ORDERABLE_ACCESS_MODELS = (AccessModel.SERVICE, AccessModel.COMMISSIONED, AccessModel.COLLABORATION)


@transaction.atomic
def service_order_create(
    *,
    resource: Resource,
    user,
    access_model: str,
    quantity: Decimal,
    unit: str,
    agreed_net_amount: Decimal,
    organisation=None,
    description: str = "",
    reference: str = "",
) -> ServiceOrder:
    """Order `quantity` × `unit` of staff-run work on `resource` for `user` at the agreed net amount.

    The same guard as a booking (resource_orderability: in use, published, open to the person; no booking policy
    needed, the staff do the work), the payer from verified facts (payer_fields) and the terms and VAT from
    pricing (use_terms_priced: a collaboration order needs an approved agreement that covers the person).
    DomainError naming the field otherwise.
    """
    require(policies.can_book, user, resource)
    resource_orderability(resource, user)
    if access_model not in ORDERABLE_ACCESS_MODELS:
        raise DomainError(
            _("Staff-run work is a service, commissioned research or collaboration research."),
            field="access_model",
            code="invalid_access_model",
        )
    if quantity is None or Decimal(quantity) <= 0:
        raise DomainError(_("Say how much is ordered."), field="quantity", code="required")
    found = use_terms_priced(user=user, resource=resource, access_model=access_model, day=timezone.localdate())
    quote = agreed_quote(found=found, net_amount=agreed_net_amount, quantity=Decimal(quantity), unit=unit)
    order = ServiceOrder(
        resource=resource, user=user, access_model=access_model, activity=found.terms.activity,
        description=description, reference=reference[:200], price_tier=quote.tier, price_unit=quote.unit,
        unit_price=quote.unit_price, quantity=quote.quantity, net_amount=quote.net_amount, vat_rate=quote.vat_rate,
        vat_amount=quote.vat_amount, total_amount=quote.total_amount, currency=quote.currency,
        vat_category=found.vat.category, vat_reason_code=found.vat.reason_code, vat_reason=found.vat.reason,
        collaboration_agreement=found.agreement, **payer_fields(user, organisation),
    )  # fmt: skip
    order.full_clean()
    order.save()
    return order


@transaction.atomic
def service_order_deliver(*, order: ServiceOrder, actor, note: str = "", now=None) -> ServiceOrder:
    """Mark the ordered work delivered: it goes to the invoice basis at its stored price, for its payer, and the
    person who ordered is told by e-mail.

    Those who keep the facility only (PermissionDenied otherwise); an order that is not ordered any more is a
    ConflictError saying its state.
    """
    return _service_order_close(
        order=order, actor=actor, note=note, now=now, policy=policies.can_deliver_service_order,
        status=ServiceOrderStatus.DELIVERED, stamp="delivered_at",
        refusal=_("This order is %(status)s; only ordered work can be delivered."),
    )  # fmt: skip


@transaction.atomic
def service_order_cancel(*, order: ServiceOrder, actor, note: str = "", now=None) -> ServiceOrder:
    """Cancel work not yet delivered: it is never charged; the person who ordered is told by e-mail. Those who
    keep the facility only."""
    return _service_order_close(
        order=order, actor=actor, note=note, now=now, policy=policies.can_cancel_service_order,
        status=ServiceOrderStatus.CANCELLED, stamp="cancelled_at",
        refusal=_("This order is %(status)s; only ordered work can be cancelled."),
    )  # fmt: skip


def _service_order_close(*, order, actor, note, now, policy, status, stamp, refusal) -> ServiceOrder:
    """Close an ordered service order as `status`, stamping `stamp` with the moment; `refusal` (with %(status)s)
    when it is not ordered any more."""
    require(policy, actor, order)
    order = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != ServiceOrderStatus.ORDERED:
        raise ConflictError(refusal % {"status": order.get_status_display()}, code="not_ordered")
    order.status = status
    setattr(order, stamp, now or timezone.now())
    order.closed_by = actor
    order.note = (note or "").strip()
    order.save()
    service_order_outbox_write(order.pk, status)  # tell who ordered, after the commit
    return order
