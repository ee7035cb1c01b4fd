"""Writes for pricing: cost bases, price lists, collaboration agreements and the VAT table. Every rule about what
may be saved lives here."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from catalogue import roles
from catalogue.choices import AccessModel
from catalogue.models import Facility, Institution, Resource
from core.errors import ConflictError, DomainError
from core.exports import line_clean
from core.policies import require
from pricing import emails, policies, selectors, tdi
from pricing import terms as terms_rules
from pricing.choices import AgreementStatus, CapacityUnit, PriceTier
from pricing.models import (
    CollaborationAgreement,
    CostBase,
    CostBaseStaffLine,
    PriceList,
    PriceListItem,
    VatRule,
    VatRuleChange,
)

COST_BASE_FIELDS = (
    "area_m2",
    "area_rate_per_m2",
    "equipment_cost",
    "depreciation_years",
    "research_council_funded",
    "service_contracts",
    "consumables",
    "other_direct_costs",
    "capacity_units",
    "capacity_unit",
    "internal_share",
    "margin",
)


@transaction.atomic
def cost_base_save(*, resource: Resource, year: int, staff: list[dict], actor, **values) -> CostBase:
    """Create or replace the resource's cost base for `year`, with its staff lines.

    `values` are the fields in COST_BASE_FIELDS; `staff` a list of dicts with annual_salary, social_cost_rate,
    fte, indirect_rate_per_fte and optionally role. The calculator must accept the inputs, and the margin must
    be at least PRICING_MINIMUM_MARGIN (else DomainError naming the field). Every current and future price list
    of the resource is then checked against the new figures (price_lists_floor_recheck): a raised full cost
    blocks the economic prices it leaves under the floor, and the facility's managers are told.
    """
    unknown = set(values) - set(COST_BASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown cost base fields: {sorted(unknown)}")
    require(policies.can_manage_prices, actor, resource)
    # The lock price_list_save takes: a list saved meanwhile is either checked against these figures or re-checked.
    Resource.objects.select_for_update().get(pk=resource.pk)
    cost_base = CostBase.objects.select_for_update().filter(resource=resource, year=year).first()
    cost_base = cost_base or CostBase(resource=resource, year=year)
    for name, value in values.items():
        setattr(cost_base, name, value)
    lines = [
        CostBaseStaffLine(
            role=line.get("role", ""),
            annual_salary=line["annual_salary"],
            social_cost_rate=line["social_cost_rate"],
            fte=line["fte"],
            indirect_rate_per_fte=line["indirect_rate_per_fte"],
        )
        for line in staff
    ]
    tdi.calculate(cost_base.tdi_inputs(staff_lines=lines))  # refuses inputs it cannot price (DomainError)
    if cost_base.margin is not None and cost_base.margin < selectors.minimum_margin():
        raise DomainError(
            _(
                "The margin for economic use must be at least %(percent)s %% (the minimum margin over full cost, "
                "written %(minimum)s here); economic prices below full cost plus that margin would be state aid."
            )
            % {"percent": selectors.minimum_margin_percent(), "minimum": selectors.minimum_margin()},
            field="margin",
            code="below_minimum_margin",
        )
    cost_base.full_clean()
    cost_base.save()
    cost_base.staff_lines.all().delete()
    for line in lines:
        line.cost_base = cost_base
        line.full_clean()
    CostBaseStaffLine.objects.bulk_create(lines)
    price_lists_floor_recheck(resource=resource)
    return cost_base


def _floor_error(breach: selectors.FloorBreachFound, *, unit: str, price: Decimal) -> DomainError:
    message = selectors.floor_breach_message(
        reason=breach.reason, unit=unit, price=price, floor=breach.floor, cost_base_year=breach.cost_base_year,
        capacity_unit=breach.capacity_unit,
    )  # fmt: skip
    return DomainError(message, field=breach.field, code=selectors.FLOOR_BREACH_CODES[breach.reason])


def _check_fixed_fee_quantity(*, fixed_fee_quantity: Decimal | None, fixed_fee_unit: str) -> None:
    if fixed_fee_quantity is not None and fixed_fee_quantity <= 0:
        raise DomainError(_("A fixed fee covers more than nothing."), field="fixed_fee_quantity", code="not_positive")
    if fixed_fee_unit and fixed_fee_unit not in CapacityUnit.values:
        raise DomainError(_("Choose hours or samples."), field="fixed_fee_unit", code="invalid_choice")
    if fixed_fee_quantity is not None and not fixed_fee_unit:
        raise DomainError(
            _("Say whether the fixed fee covers hours or samples."), field="fixed_fee_unit", code="required"
        )
    if fixed_fee_unit and fixed_fee_quantity is None:
        raise DomainError(
            _("Say how many hours or samples one fixed fee covers."), field="fixed_fee_quantity", code="required"
        )


@transaction.atomic
def price_list_save(
    *,
    resource: Resource,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    prices: dict[tuple[str, str], Decimal],
    note: str = "",
    fixed_fee_quantity: Decimal | None = None,
    fixed_fee_unit: str = "",
    price_list: PriceList | None = None,
    actor,
) -> PriceList:
    """Create (or, given `price_list`, replace) a price list with `prices` keyed by (tier, unit), excl. VAT.

    Refused with a DomainError naming the field: an end before the start, a period overlapping another list of
    the resource, a negative price, a fixed-fee quantity without its unit (or the other way round), or an
    external economic price that does not stand against the full-cost floor (pricing.selectors,
    economic_price_breach) of every cost base the list's validity reaches: none in force on its first day, a unit
    the cost base does not count, a fixed fee that does not say how many hours or samples it covers, or a price
    below full cost plus the minimum margin (state aid). A list saved here is never blocked: saving it is how the
    manager lifts a block. Only someone who manages the resource's prices (or the server) saves one.
    """
    require(policies.can_manage_prices, actor, resource)
    if price_list is not None and price_list.resource_id != resource.pk:
        raise DomainError(_("This price list belongs to another resource."), field="price_list", code="invalid")
    # Serialise price-list writes per resource so that the overlap check below cannot race.
    Resource.objects.select_for_update().get(pk=resource.pk)
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("A price list cannot end before it starts."), field="valid_to", code="invalid_period")
    _check_fixed_fee_quantity(fixed_fee_quantity=fixed_fee_quantity, fixed_fee_unit=fixed_fee_unit)
    other = selectors.overlapping_price_list(
        resource=resource, valid_from=valid_from, valid_to=valid_to, exclude=price_list
    )
    if other is not None:
        raise ConflictError(
            _("The validity overlaps the price list %(other)s; end that one first.") % {"other": other},
            field="valid_from",
            code="overlapping_price_list",
        )
    cost_bases = None
    for (tier, unit), price in prices.items():
        if price is None:
            continue
        if price < 0:
            raise DomainError(_("Prices cannot be negative."), field=f"{tier}__{unit}", code="negative")
        if tier == PriceTier.EXTERNAL_ECONOMIC:
            if cost_bases is None:
                cost_bases = selectors.cost_bases_covering(resource=resource, first_day=valid_from, last_day=valid_to)
            breach = selectors.economic_price_breach(
                cost_bases=cost_bases, unit=unit, price=price, price_field=f"{tier}__{unit}",
                fixed_fee_quantity=fixed_fee_quantity, fixed_fee_unit=fixed_fee_unit,
            )  # fmt: skip
            if breach is not None:
                raise _floor_error(breach, unit=unit, price=price)

    price_list = price_list or PriceList(resource=resource)
    price_list.valid_from, price_list.valid_to, price_list.note = valid_from, valid_to, note
    price_list.fixed_fee_quantity, price_list.fixed_fee_unit = fixed_fee_quantity, fixed_fee_unit
    try:
        with transaction.atomic():
            price_list.save()
    except IntegrityError as error:  # the PostgreSQL exclusion constraint, should a writer bypass the lock
        raise ConflictError(
            _("The validity overlaps another price list of the resource."), field="valid_from"
        ) from error
    price_list.items.all().delete()
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=price_list, tier=tier, unit=unit, price=price)
        for (tier, unit), price in prices.items()
        if price is not None
    )
    return price_list


@dataclass(frozen=True)
class FloorRecheck:
    """What a re-check of a resource's price lists against its cost bases changed."""

    blocked: list[PriceListItem]  # economic prices that stand no longer (newly blocked), as they were before
    released: list[PriceListItem]  # prices that were blocked and stand again, as they were before
    blocked_lists: list[PriceList]  # the lists with a newly blocked price, whose managers are told


def price_lists_floor_recheck(*, resource: Resource, today: datetime.date | None = None) -> FloorRecheck:
    """Check every current and future price list of `resource` (valid today or later) against the cost bases
    its validity reaches, as price_list_save does, and mark each external economic price that no longer stands
    as blocked, with the reason and the floor; a price that stands again is released. No booking is made at a
    blocked price (pricing.selectors.booking_quote) until the manager saves the list with a correct price.

    The facility's managers are told about newly blocked lists by e-mail (pricing.emails, through the outbox,
    in the caller's transaction). Run by cost_base_save; past lists are left as they were sold.
    """
    today = today or timezone.localdate()
    lists = (
        PriceList.objects.select_for_update()
        .filter(resource=resource)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("valid_from")
    )
    blocked, released = [], []
    for price_list in lists:
        cost_bases = selectors.cost_bases_covering(
            resource=resource, first_day=price_list.valid_from, last_day=price_list.valid_to
        )
        for item in price_list.items.filter(tier=PriceTier.EXTERNAL_ECONOMIC).order_by("unit"):
            breach = selectors.economic_price_breach(
                cost_bases=cost_bases, unit=item.unit, price=item.price,
                fixed_fee_quantity=price_list.fixed_fee_quantity, fixed_fee_unit=price_list.fixed_fee_unit,
            )  # fmt: skip
            state = (breach.reason, breach.floor, breach.cost_base_year) if breach else ("", None, None)
            if state == (item.blocked_reason, item.blocked_floor, item.blocked_cost_base_year):
                continue
            if not item.blocked_reason:
                blocked.append(item)  # it stood until now: newly blocked
            elif breach is None:
                released.append(item)
            PriceListItem.objects.filter(pk=item.pk).update(
                blocked_reason=state[0], blocked_floor=state[1], blocked_cost_base_year=state[2]
            )
    newly_blocked_lists = list({item.price_list_id: item.price_list for item in blocked}.values())
    for price_list in newly_blocked_lists:
        emails.price_list_blocked_queue(price_list=price_list)
    return FloorRecheck(blocked=blocked, released=released, blocked_lists=newly_blocked_lists)


def prices_from_cost_base(cost_base: CostBase, *, unit: str) -> dict[tuple[str, str], Decimal]:
    """Suggested prices per tier for one unit, straight from the TDI calculation (used by the demo data). The
    economic price is never below the floor (rounding half up could put it one øre under)."""
    result = selectors.cost_base_result(cost_base)
    factor = selectors.HOURS_PER_UNIT.get(unit, Decimal(1))
    economic = tdi.round_ore(result.external_economic_unit_price * factor)
    floor = selectors.economic_price_floor(cost_base=cost_base, unit=unit)
    return {
        (PriceTier.INTERNAL, unit): tdi.round_ore(result.internal_unit_price * factor),
        (PriceTier.EXTERNAL_NON_ECONOMIC, unit): tdi.round_ore(result.external_non_economic_unit_price * factor),
        (PriceTier.EXTERNAL_ECONOMIC, unit): economic if floor is None else max(economic, floor),
    }


# --- Collaboration agreements ------------------------------------------------------------------------------------
# Only an approved agreement makes use by anyone outside the owning institution non-economic (pricing.terms): it
# must describe effective collaboration with shared risk where the institution may publish, and the facility's
# managers approve it. Bookings under it record it, so an agreement with bookings is never deleted.

AGREEMENT_TERMS = {
    "effective_collaboration": _lazy("Both parties contribute to the project and define it together."),
    "shared_risk": _lazy("Both parties share the risk and the results."),
    "may_publish": _lazy("The institution keeps the right to publish the results."),
}


def _participants_by_email(emails) -> list:
    wanted = sorted({email.strip().lower() for email in emails if email and email.strip()})
    found = {user.email.lower(): user for user in User.objects.filter(email__in=wanted, is_active=True)}
    missing = [email for email in wanted if email not in found]
    if missing:
        raise DomainError(
            _("No active account has the e-mail address %(emails)s; the person must sign up first.")
            % {"emails": ", ".join(missing)},
            field="participants",
            code="unknown_person",
        )
    return [found[email] for email in wanted]


@transaction.atomic
def collaboration_agreement_propose(
    *,
    actor,
    facility: Facility,
    title: str,
    partner_name: str,
    valid_from: datetime.date,
    effective_collaboration: bool,
    shared_risk: bool,
    may_publish: bool,
    partner_org_number: str = "",
    valid_to: datetime.date | None = None,
    description: str = "",
    participants: list[str] = (),
) -> CollaborationAgreement:
    """Propose an agreement on collaboration research with `facility`. The proposer and the people named by
    e-mail in `participants` are its participants (a manager proposing for a partner names the partner's people
    only). It must describe effective collaboration, shared risk and the institution's right to publish; the
    facility's managers are asked to approve it. DomainError naming the field otherwise."""
    require(policies.can_propose_agreement, actor, facility)
    for name, value in (("title", title), ("partner_name", partner_name)):
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=name, code="required")
    for name, value in (
        ("effective_collaboration", effective_collaboration), ("shared_risk", shared_risk), ("may_publish", may_publish)
    ):  # fmt: skip
        if not value:
            raise DomainError(
                _(
                    "A collaboration agreement needs this: %(term)s Without it the use is a purchase (rental, service "
                    "or commissioned research), which is economic."
                )
                % {"term": AGREEMENT_TERMS[name]},
                field=name,
                code="collaboration_term_required",
            )
    if valid_to is not None and valid_to < valid_from:
        raise DomainError(_("An agreement cannot end before it starts."), field="valid_to", code="end_before_start")
    people = _participants_by_email(participants)
    agreement = CollaborationAgreement(
        facility=facility, title=line_clean(title), partner_name=line_clean(partner_name),
        partner_org_number=(partner_org_number or "").replace(" ", ""), valid_from=valid_from, valid_to=valid_to,
        description=(description or "").strip(), effective_collaboration=True, shared_risk=True, may_publish=True,
        proposed_by=actor,
    )  # fmt: skip
    try:
        agreement.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field, code="invalid") from error
    agreement.save()
    if not roles.can_manage_facility(actor, facility):
        people.append(actor)
    agreement.participants.set(people)
    emails.agreement_proposed_queue(agreement=agreement)
    return agreement


@transaction.atomic
def collaboration_agreement_record_accepted(
    *, facility: Facility, title: str, partner_name: str, participants: list, approved_by=None,
    partner_org_number: str = "", description: str = "",
) -> CollaborationAgreement:  # fmt: skip
    """Record, approved from today, a collaboration agreement both sides agreed to: the facility proposed the
    standard collaboration agreement (its terms are effective collaboration, shared risk and the right to publish;
    `approved_by` proposed it, None for a contact person's link) and the partner accepted it (intake). It covers
    `participants`; with none, the facility's managers name them (collaboration_agreement_participant_add)."""
    agreement = CollaborationAgreement(
        facility=facility, title=line_clean(title)[:200], partner_name=line_clean(partner_name)[:200],
        partner_org_number=(partner_org_number or "").replace(" ", ""), valid_from=timezone.localdate(),
        description=(description or "").strip(), effective_collaboration=True, shared_risk=True, may_publish=True,
        status=AgreementStatus.APPROVED, proposed_by=approved_by, decided_by=approved_by, decided_at=timezone.now(),
    )  # fmt: skip
    agreement.full_clean()  # everything comes from a stored request and proposal, already checked
    agreement.save()
    agreement.participants.set(dict.fromkeys(person for person in participants if person is not None))
    emails.agreement_decided_queue(agreement=agreement)
    return agreement


def _agreement_locked(agreement: CollaborationAgreement) -> CollaborationAgreement:
    return CollaborationAgreement.objects.select_for_update().select_related("facility").get(pk=agreement.pk)


@transaction.atomic
def collaboration_agreement_approve(
    *, agreement: CollaborationAgreement, actor, reason: str = ""
) -> CollaborationAgreement:
    """A manager of the facility approves a proposed agreement: from its first day its participants' collaboration
    research here is non-economic. The participants are told."""
    agreement = _agreement_locked(agreement)
    require(policies.can_decide_agreement, actor, agreement)
    if agreement.status != AgreementStatus.PROPOSED:
        raise ConflictError(_("Only a proposed agreement can be approved."), field="status", code="not_proposed")
    if not agreement.participants.exists():
        raise DomainError(
            _("Name at least one participant before approving: nobody could use the agreement."),
            field="participants",
            code="required",
        )
    return _agreement_decide(agreement, status=AgreementStatus.APPROVED, actor=actor, reason=reason)


@transaction.atomic
def collaboration_agreement_reject(*, agreement: CollaborationAgreement, actor, reason: str) -> CollaborationAgreement:
    """A manager of the facility turns a proposed agreement down, saying why; the proposer is told."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the rejection."), field="reason", code="reason_required")
    agreement = _agreement_locked(agreement)
    require(policies.can_decide_agreement, actor, agreement)
    if agreement.status != AgreementStatus.PROPOSED:
        raise ConflictError(_("Only a proposed agreement can be rejected."), field="status", code="not_proposed")
    return _agreement_decide(agreement, status=AgreementStatus.REJECTED, actor=actor, reason=reason)


def _agreement_decide(agreement, *, status, actor, reason) -> CollaborationAgreement:
    agreement.status = status
    agreement.decided_by = actor
    agreement.decided_at = timezone.now()
    agreement.decision_reason = (reason or "").strip()
    agreement.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    emails.agreement_decided_queue(agreement=agreement)
    return agreement


@transaction.atomic
def collaboration_agreement_participant_add(
    *, agreement: CollaborationAgreement, actor, email: str
) -> CollaborationAgreement:
    """A manager of the facility names one more person (by e-mail) whose collaboration research the agreement
    covers."""
    agreement = _agreement_locked(agreement)
    require(policies.can_decide_agreement, actor, agreement)
    agreement.participants.add(*_participants_by_email([email]))
    return agreement


@transaction.atomic
def collaboration_agreement_end(
    *, agreement: CollaborationAgreement, actor, last_day: datetime.date
) -> CollaborationAgreement:
    """A manager of the facility ends an agreement on `last_day` (not before its first day): later use is no longer
    collaboration research under it. Bookings made under it keep their price."""
    agreement = _agreement_locked(agreement)
    require(policies.can_decide_agreement, actor, agreement)
    if agreement.status != AgreementStatus.APPROVED:
        raise ConflictError(_("Only an approved agreement can be ended."), field="status", code="not_approved")
    if last_day < agreement.valid_from:
        raise DomainError(_("An agreement cannot end before it starts."), field="valid_to", code="end_before_start")
    if agreement.valid_to is None or last_day < agreement.valid_to:
        agreement.valid_to = last_day
        agreement.save(update_fields=["valid_to"])
    return agreement


# --- The VAT table -----------------------------------------------------------------------------------------------


def _vat_rule_values(rule: VatRule | None) -> dict | None:
    if rule is None:
        return None
    rate = format(Decimal(rule.rate).quantize(Decimal("0.0001")), "f")  # as stored, so an unchanged rule compares
    return {"category": rule.category, "rate": rate, "reason_code": rule.reason_code, "reason": rule.reason}


@transaction.atomic
def vat_rule_save(
    *,
    institution: Institution,
    access_model: str,
    actor,
    category: str = "",
    rate: Decimal | None = None,
    reason_code: str = "",
    reason: str = "",
    note: str = "",
) -> VatRule | None:
    """Set the institution's VAT for sales of `access_model` (its tax office decides), or with no `category` go
    back to the default (pricing.terms.DEFAULT_VAT). Checked against EN 16931 (pricing.terms.vat_rule_check);
    every change is kept in VatRuleChange with who made it and why. Bookings already made keep their VAT."""
    require(policies.can_change_vat_rules, actor, institution)
    if access_model not in AccessModel.values:
        raise DomainError(_("Unknown access model."), field="access_model", code="invalid_access_model")
    reason_code, reason = line_clean(reason_code).strip(), line_clean(reason).strip()
    rule = VatRule.objects.select_for_update().filter(institution=institution, access_model=access_model).first()
    before = _vat_rule_values(rule)
    if not category:
        if rule is not None:
            rule.delete()
        rule = None
    else:
        if rate is None:
            raise DomainError(_("Give the VAT rate."), field="rate", code="required")
        terms_rules.vat_rule_check(category=category, rate=rate, reason_code=reason_code, reason=reason)
        rule = rule or VatRule(institution=institution, access_model=access_model)
        rule.category, rule.rate, rule.reason_code, rule.reason = category, Decimal(rate), reason_code, reason
        rule.full_clean()
        rule.save()
    after = _vat_rule_values(rule)
    if before != after:
        VatRuleChange.objects.create(
            institution=institution, access_model=access_model, actor=actor, before=before, after=after,
            note=(note or "").strip(),
        )  # fmt: skip
    return rule
