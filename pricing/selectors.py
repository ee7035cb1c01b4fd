"""Reads for pricing. Other apps ask pricing for prices only through this module."""

import dataclasses
import datetime
import functools
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, IntegerField, Prefetch, Q, When
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.choices import UserKind
from accounts.selectors import verified_institution_id
from catalogue import roles
from catalogue.choices import AccessModel
from catalogue.models import Resource
from core.db import ModelRows
from core.errors import DomainError
from core.formatting import money_text
from pricing import tdi
from pricing import terms as terms_rules
from pricing.choices import AgreementStatus, CapacityUnit, FloorBreach, PriceTier, PriceUnit, TermsReason, Transaction
from pricing.models import (
    CollaborationAgreement,
    CostBase,
    CostBaseStaffLine,
    PriceList,
    PriceListItem,
    VatRule,
    VatRuleChange,
)

CURRENCY = "NOK"
# A half day and a day are blocks of working hours: a booking pays for as many blocks as it starts.
HOURS_PER_UNIT = {PriceUnit.HOUR: Decimal(1), PriceUnit.HALF_DAY: Decimal(4), PriceUnit.DAY: Decimal(8)}
TIME_UNITS = (PriceUnit.HOUR, PriceUnit.HALF_DAY, PriceUnit.DAY)


@dataclass(frozen=True)
class Quote:
    """What a use of a resource costs a given user: the figures a booking stores as its price snapshot, with the
    terms they follow from (pricing.terms): the activity, the VAT category and its reason, and the collaboration
    agreement, if one makes the use non-economic."""

    tier: str  # "internal", "external_non_economic" or "external_economic"
    unit: str  # "hour", "half_day", "day", "sample" or "fixed"
    unit_price: Decimal
    quantity: Decimal
    net_amount: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total_amount: Decimal
    currency: str
    price_list_id: int | None
    activity: str = ""
    reason: str = ""  # a TermsReason: why this tier
    vat_category: str = ""  # EN 16931: S, Z, E or O
    vat_reason_code: str = ""
    vat_reason: str = ""
    collaboration_agreement_id: int | None = None

    @property
    def reason_label(self) -> str:
        return str(TermsReason(self.reason).label) if self.reason else ""


def member_institution_id(user) -> int | None:
    """The institution the person is a verified academic member of (`accounts.selectors.verified_institution_id`:
    Feide, a verified address under the institution's domain, or an admin's approval), or None; the institution a
    person typed in their profile never counts."""
    if user is not None and getattr(user, "is_authenticated", False) and user.kind == UserKind.ACADEMIC:
        return verified_institution_id(user)
    return None


def member_of_owning_institution(user, resource) -> bool:
    """Whether the person is a verified academic member (member_institution_id) of the institution that owns the
    resource's facility."""
    institution_id = member_institution_id(user)
    return institution_id is not None and institution_id == resource.facility.institution_id


def agreements_covering(*, user, facility_id: int, day: datetime.date):
    """The approved collaboration agreements of the facility that name the person as a participant and are
    valid on `day`, the most recently approved first."""
    if not getattr(user, "is_authenticated", False):
        return CollaborationAgreement.objects.none()
    return (
        CollaborationAgreement.objects.filter(
            facility_id=facility_id, status=AgreementStatus.APPROVED, participants=user, valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-decided_at", "-id")
    )


def agreements_in_force(*, user, facility_id: int, today: datetime.date | None = None) -> list:
    """The approved agreements of the facility that name the person and have not ended (for the booking form;
    the booking checks the day of use)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    return list(
        CollaborationAgreement.objects.filter(
            facility_id=facility_id, status=AgreementStatus.APPROVED, participants=user
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-decided_at", "-id")
    )


def vat_rules_of(*, institution_id: int) -> dict[str, VatRule]:
    """The institution's own VAT rules, by access model (one query)."""
    return {rule.access_model: rule for rule in VatRule.objects.filter(institution_id=institution_id)}


# The transaction a public price of each tier stands for (pricing.terms): the tiers a price table shows.
TIER_TRANSACTION = {
    PriceTier.INTERNAL: Transaction.INTERNAL_TRANSFER,
    PriceTier.EXTERNAL_NON_ECONOMIC: Transaction.COLLABORATION,
    PriceTier.EXTERNAL_ECONOMIC: Transaction.SALE,
}


def public_vat_rates(*, facilities) -> dict[int, dict[str, Decimal | None]]:
    """For public price tables and "from" prices: facility id -> tier -> the VAT rate its prices carry, under the
    institution's own VAT table (one query for all facilities). The economic tier is a sale of the access models
    the facility offers (rental, service, commissioned research); None when the institution taxes those
    differently, since only the quote for the chosen access model can say which rate applies."""
    facilities = list(facilities)
    rules = {
        (rule.institution_id, rule.access_model): rule
        for rule in VatRule.objects.filter(institution_id__in={facility.institution_id for facility in facilities})
    }
    rates = {}
    for facility in facilities:
        sold = [model for model in facility.access_models if model != AccessModel.COLLABORATION]
        by_tier: dict[str, Decimal | None] = {}
        for tier, transaction in TIER_TRANSACTION.items():
            models = sold if transaction == Transaction.SALE else [AccessModel.COLLABORATION]
            found = {
                terms_rules.vat_treatment(
                    transaction=transaction, override=rules.get((facility.institution_id, model))
                ).rate
                for model in models or [AccessModel.RENTAL]
            }
            by_tier[tier] = found.pop() if len(found) == 1 else None
        rates[facility.pk] = by_tier
    return rates


def price_incl_vat(price: Decimal, rate: Decimal | None) -> Decimal | None:
    """A price with `rate` VAT added, to the øre; None when the rate is not known before the quote."""
    return None if rate is None else tdi.round_ore(price * (1 + rate))


def price_lists_with_vat(price_lists) -> list:
    """Give each item of `price_lists` (with `resource__facility` and items loaded) its `public_vat_rate` and
    `public_price_incl_vat` (public_vat_rates), for price tables on pages and in the API; one query."""
    price_lists = list(price_lists)
    rates = public_vat_rates(facilities={pl.resource.facility_id: pl.resource.facility for pl in price_lists}.values())
    for price_list in price_lists:
        for item in price_list.items.all():
            item.public_vat_rate = rates[price_list.resource.facility_id][item.tier]
            item.public_price_incl_vat = price_incl_vat(item.price, item.public_vat_rate)
    return price_lists


@dataclass(frozen=True)
class BookingTerms:
    """The terms of one use (pricing.terms.UseTerms), its VAT and the agreement behind a non-economic use."""

    terms: terms_rules.UseTerms
    vat: terms_rules.VatTreatment
    agreement: CollaborationAgreement | None

    @property
    def reason_label(self) -> str:
        return str(TermsReason(self.terms.reason).label)


def use_terms_of(
    *,
    user,
    resource,
    access_model: str,
    day: datetime.date,
    agreement_id: int | None = None,
    activity: str | None = None,
) -> tuple[terms_rules.UseTerms, CollaborationAgreement | None]:
    """The terms of `user`'s use of `resource` with `access_model` on `day` and the agreement behind them, from
    verified facts only: membership of the owning institution, the access model and an approved collaboration
    agreement of the facility that names the person (`agreement_id`, or the latest that covers them). `activity`,
    when a request names one, must be the activity these facts give. DomainError naming the field otherwise."""
    internal = member_of_owning_institution(user, resource)
    agreement = None
    if agreement_id is not None:
        if access_model != AccessModel.COLLABORATION:
            raise DomainError(
                _("A collaboration agreement applies to collaboration research only: choose that access model."),
                field="collaboration_agreement",
                code="agreement_needs_collaboration",
            )
        covering = agreements_covering(user=user, facility_id=resource.facility_id, day=day)
        agreement = covering.filter(pk=agreement_id).first()
        if agreement is None:
            raise DomainError(
                _(
                    "This collaboration agreement does not cover you here on that day: it must be approved by "
                    "the facility, name you as a participant and be valid on the day of use."
                ),
                field="collaboration_agreement",
                code="agreement_not_applicable",
            )
    elif access_model == AccessModel.COLLABORATION and not internal:
        agreement = agreements_covering(user=user, facility_id=resource.facility_id, day=day).first()
    terms = terms_rules.use_terms(internal=internal, access_model=access_model, agreement=agreement is not None)
    terms_rules.activity_check(asked=activity, terms=terms)
    return terms, (agreement if terms.transaction == Transaction.COLLABORATION else None)


def _items_prefetch() -> Prefetch:
    return Prefetch("items", queryset=PriceListItem.objects.order_by("tier", "unit"))


def price_list_valid_on(*, resource, day: datetime.date) -> PriceList | None:
    """The resource's price list valid on `day` (a local date), with its items; None when there is none."""
    return (
        PriceList.objects.filter(resource=resource, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .prefetch_related(_items_prefetch())
        .order_by("-valid_from")
        .first()
    )


_items = ModelRows(PriceListItem, "i")
_vat_rules = ModelRows(VatRule, "v")


@functools.cache
def _tier_prices_sql(vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return (
        f"SELECT {_vat_rules.columns()}, {_items.columns()} FROM (SELECT 1 AS one) q "
        f"LEFT JOIN {quote(VatRule._meta.db_table)} v ON v.institution_id = %s AND v.access_model = %s "
        f"LEFT JOIN {quote(PriceListItem._meta.db_table)} i ON i.price_list_id = (SELECT pl.id FROM "
        f"{quote(PriceList._meta.db_table)} pl WHERE pl.resource_id = %s AND pl.valid_from <= %s AND "
        "(pl.valid_to IS NULL OR pl.valid_to >= %s) ORDER BY pl.valid_from DESC LIMIT 1) AND i.tier = %s "
        "ORDER BY i.unit"
    )


def _tier_prices_valid_on(
    *, resource, day: datetime.date, tier: str, vat_access_model: str = ""
) -> tuple[int | None, list, VatRule | None]:
    """The id of the price list valid on `day` (the latest to start, as price_list_valid_on picks), its prices
    for one tier, by unit ((None, []) when that list has no price for the tier), and the VAT rule of the
    resource's institution for `vat_access_model` (None when there is none, or no access model is given).

    Every booking asks this, so it is one fixed statement rather than ORM queries built anew each time
    (core.db.ModelRows).
    """
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each use of django.db.connection is a context lookup
    day_value = db.ops.adapt_datefield_value(day)
    institution_id = resource.facility.institution_id
    with db.cursor() as cursor:
        cursor.execute(
            _tier_prices_sql(db.vendor), [institution_id, vat_access_model, resource.pk, day_value, day_value, tier]
        )
        rows = cursor.fetchall()
    vat_rule = _vat_rules.load(rows[0], db=db) if rows else None
    items = [item for item in (_items.load(row, _vat_rules.width, db=db) for row in rows) if item is not None]
    return (items[0].price_list_id if items else None), items, vat_rule


@dataclass(frozen=True)
class YourPrice:
    """What a user pays here for one access model: the terms (tier, activity, why), the VAT and the prices of the
    tier per unit (excl. VAT); or, for collaboration research without an agreement, why it is not open to them."""

    access_model: str
    terms: BookingTerms | None
    items: list  # PriceListItem
    refusal: str = ""

    @property
    def access_model_label(self) -> str:
        return str(AccessModel(self.access_model).label)

    @property
    def priced_items(self) -> list[dict]:
        """Each price with its VAT under these terms: {"item", "vat_amount", "total"} per unit."""
        if self.terms is None:
            return []
        rate = self.terms.vat.rate
        return [
            {
                "item": item,
                "vat_amount": tdi.round_ore(item.price * rate),
                "total": tdi.round_ore(item.price * (1 + rate)),
            }
            for item in self.items
        ]


def terms_by_access_model(
    *, user, resource, day: datetime.date, with_vat: bool = True
) -> dict[str, BookingTerms | DomainError]:
    """use_terms_of, with the VAT, for every access model at once (two queries at most, one `with_vat=False`, when
    the VAT returned is the default): the terms, or the DomainError saying why the access model is not open to the
    person (collaboration research without an agreement)."""
    internal = member_of_owning_institution(user, resource)
    agreement = None if internal else agreements_covering(user=user, facility_id=resource.facility_id, day=day).first()
    overrides = {} if internal or not with_vat else vat_rules_of(institution_id=resource.facility.institution_id)
    answer: dict[str, BookingTerms | DomainError] = {}
    for access_model in AccessModel.values:
        try:
            terms = terms_rules.use_terms(internal=internal, access_model=access_model, agreement=agreement is not None)
        except DomainError as error:
            answer[access_model] = error
            continue
        collaboration = terms.transaction == Transaction.COLLABORATION
        answer[access_model] = BookingTerms(
            terms=terms,
            vat=terms_rules.vat_treatment(transaction=terms.transaction, override=overrides.get(access_model)),
            agreement=agreement if collaboration else None,
        )
    return answer


def tiers_by_access_model(user, resource, day: datetime.date | None = None) -> dict[str, str | None]:
    """The tier the person pays here for each access model, None where it is not open to them (collaboration
    research without an agreement)."""
    found = terms_by_access_model(user=user, resource=resource, day=day or timezone.localdate(), with_vat=False)
    return {
        access_model: terms.terms.tier if isinstance(terms, BookingTerms) else None
        for access_model, terms in found.items()
    }


def prices_for_user(*, user, resource, day: datetime.date | None = None) -> list[YourPrice]:
    """The person's own price for each access model, from the price list valid on `day`, with the reason and the
    VAT; empty without a price list. Shown before booking, so that nobody books without knowing what it costs
    and why."""
    day = day or timezone.localdate()
    price_list = price_list_valid_on(resource=resource, day=day)
    if price_list is None:
        return []
    answer = []
    for access_model, found in terms_by_access_model(user=user, resource=resource, day=day).items():
        if isinstance(found, DomainError):
            answer.append(YourPrice(access_model=access_model, terms=None, items=[], refusal=str(found.message)))
            continue
        items = [item for item in price_list.items.all() if item.tier == found.terms.tier]
        answer.append(YourPrice(access_model=access_model, terms=found, items=items))
    return answer


def public_price_lists(*, resource, today: datetime.date | None = None) -> list[PriceList]:
    """The current and coming price lists of a resource (those not yet expired), with items."""
    today = today or timezone.localdate()
    return list(
        PriceList.objects.filter(resource=resource)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("resource__facility")
        .prefetch_related(_items_prefetch())
        .order_by("valid_from")
    )


def current_price_lists_by_resource(*, resources, today: datetime.date | None = None) -> dict[int, PriceList]:
    """For many resources at once (two queries): resource id -> the price list valid today."""
    today = today or timezone.localdate()
    lists = (
        PriceList.objects.filter(resource__in=resources, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("resource__facility")
        .prefetch_related(_items_prefetch())
        .order_by("resource_id", "valid_from")
    )
    return {price_list.resource_id: price_list for price_list in lists}


def quantity_for(*, unit: str, start: datetime.datetime, end: datetime.datetime, samples: int | None = None):
    """How many units a booking from `start` to `end` pays: hours to the minute, started half days and days."""
    if unit == PriceUnit.SAMPLE:
        return Decimal(samples or 1)
    if unit == PriceUnit.FIXED:
        return Decimal(1)
    # Subtract in UTC: two datetimes in the same zone subtract by wall clock, which is wrong across DST changes.
    elapsed = end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)
    hours = Decimal(int(elapsed.total_seconds())) / Decimal(3600)
    if unit == PriceUnit.HOUR:
        return tdi.round_ore(hours)
    return Decimal(math.ceil(hours / HOURS_PER_UNIT[unit]))


def booking_price(
    *,
    resource,
    user,
    access_model: str,
    start: datetime.datetime,
    end: datetime.datetime,
    samples: int | None = None,
    collaboration_agreement: int | None = None,
    activity: str | None = None,
) -> tuple[BookingTerms, Quote | None]:
    """The terms of `user` using `resource` from `start` to `end` with `access_model` (use_terms_of: verified
    facts; a named `activity` or `collaboration_agreement` must fit them, else DomainError naming the field), their
    VAT, and the price (None when the resource has no price for the tier then). The prices and the institution's
    VAT rule come in one statement: every booking asks this."""
    terms, agreement = use_terms_of(
        user=user, resource=resource, access_model=access_model, day=timezone.localdate(start),
        agreement_id=collaboration_agreement, activity=activity,
    )  # fmt: skip
    sale = terms.transaction != Transaction.INTERNAL_TRANSFER
    price_list_id, items, vat_rule = _tier_prices_valid_on(
        resource=resource, day=timezone.localdate(start), tier=terms.tier, vat_access_model=access_model if sale else ""
    )
    found = BookingTerms(
        terms=terms,
        vat=terms_rules.vat_treatment(transaction=terms.transaction, override=vat_rule),
        agreement=agreement,
    )
    quote = _quote_of(items, price_list_id=price_list_id, vat=found.vat, start=start, end=end, samples=samples)
    return found, quote_with_terms(quote, found)


def booking_quote(
    *,
    resource,
    user,
    access_model: str,
    start: datetime.datetime,
    end: datetime.datetime,
    samples: int | None = None,
    collaboration_agreement: int | None = None,
    activity: str | None = None,
) -> Quote | None:
    """The price of `user` using `resource` from `start` to `end` with `access_model`, with the terms it follows
    from (booking_price); None when the resource has no price for the tier then."""
    return booking_price(
        resource=resource, user=user, access_model=access_model, start=start, end=end, samples=samples,
        collaboration_agreement=collaboration_agreement, activity=activity,
    )[1]  # fmt: skip


def quote_with_terms(quote: Quote | None, found: BookingTerms) -> Quote | None:
    """The quote with the terms it was made under (activity, why, the agreement)."""
    if quote is None:
        return None
    return dataclasses.replace(
        quote,
        activity=found.terms.activity,
        reason=found.terms.reason,
        collaboration_agreement_id=found.agreement.pk if found.agreement else None,
    )


def use_terms_priced(
    *,
    user,
    resource,
    access_model: str,
    day: datetime.date,
    collaboration_agreement: int | None = None,
    activity: str | None = None,
) -> BookingTerms:
    """The terms of a use and their VAT without a price from the list (use_terms_of, the institution's VAT rule):
    for a use at an agreed price (an accepted intake proposal) and for a service order, which has no time slot."""
    terms, agreement = use_terms_of(
        user=user, resource=resource, access_model=access_model, day=day, agreement_id=collaboration_agreement,
        activity=activity,
    )  # fmt: skip
    vat_rule = None
    if terms.transaction != Transaction.INTERNAL_TRANSFER:
        vat_rule = vat_rules_of(institution_id=resource.facility.institution_id).get(access_model)
    return BookingTerms(
        terms=terms,
        vat=terms_rules.vat_treatment(transaction=terms.transaction, override=vat_rule),
        agreement=agreement,
    )


def agreed_quote(
    *, found: BookingTerms, net_amount: Decimal, quantity: Decimal = Decimal(1), unit: str = PriceUnit.FIXED
) -> Quote:
    """The price of a use at the amount a facility proposed and the person accepted (an intake proposal, checked
    against the full-cost floor when it was proposed): the tier and VAT of the terms, the agreed net amount for
    `quantity` × `unit`."""
    net = tdi.round_ore(Decimal(net_amount))
    quantity = Decimal(quantity)
    vat_amount = tdi.round_ore(net * found.vat.rate)
    quote = Quote(
        tier=found.terms.tier,
        unit=unit,
        unit_price=tdi.round_ore(net / quantity) if quantity else net,
        quantity=quantity,
        net_amount=net,
        vat_rate=found.vat.rate,
        vat_amount=vat_amount,
        total_amount=net + vat_amount,
        currency=CURRENCY,
        price_list_id=None,
    )
    return quote_with_terms(quote, found)


def agreed_amount_split(*, amount: Decimal, parts: int) -> list[Decimal]:
    """An agreed amount for a series divided over its `parts` bookings, in øre; the last takes the remainder, so
    the parts add up to the amount."""
    amount = tdi.round_ore(Decimal(amount))
    share = (amount / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)  # down: the last part never goes negative
    return [share] * (parts - 1) + [amount - share * (parts - 1)]


def quote_for_terms(
    *,
    resource,
    tier: str,
    vat: terms_rules.VatTreatment,
    start: datetime.datetime,
    end: datetime.datetime,
    samples: int | None = None,
) -> Quote | None:
    """The price of using `resource` from `start` to `end` in `tier`, with `vat` (a booking priced again on the
    terms it was made under); None when the resource has no price for the tier then."""
    price_list_id, items, _rule = _tier_prices_valid_on(resource=resource, day=timezone.localdate(start), tier=tier)
    return _quote_of(items, price_list_id=price_list_id, vat=vat, start=start, end=end, samples=samples)


def _quote_of(items, *, price_list_id, vat, start, end, samples) -> Quote | None:
    """The quote from a tier's prices (`items`) of the price list valid at `start`.

    Of the time units the list prices for the tier (hour, half day, day) the cheapest total is charged, so a day
    rate works as a cap; without a time unit, per sample (`samples`, default 1) and then a fixed fee. None without
    prices. DomainError `price_below_full_cost` when the price charged would be an economic price that a raised
    cost base has blocked.
    """
    items = {item.unit: item for item in items}
    candidates = [items[unit] for unit in TIME_UNITS if unit in items]
    if not candidates:
        candidates = [items[unit] for unit in (PriceUnit.SAMPLE, PriceUnit.FIXED) if unit in items][:1]
    if not candidates:
        return None

    def net_of(item):
        return tdi.round_ore(item.price * quantity_for(unit=item.unit, start=start, end=end, samples=samples))

    item = min(candidates, key=net_of)  # min keeps the first of equals: hour before half day before day
    if item.blocked_reason and item.tier == PriceTier.EXTERNAL_ECONOMIC:
        # A cost base raised after the list was made put this price under the full-cost floor: no booking is made
        # at it until the manager corrects the list (pricing.services.price_lists_floor_recheck).
        raise DomainError(
            _(
                "This resource cannot be booked for economic use at the moment: its price is below full cost "
                "and the facility must correct its price list first."
            ),
            field="resource",
            code="price_below_full_cost",
        )
    quantity = quantity_for(unit=item.unit, start=start, end=end, samples=samples)
    net = net_of(item)
    vat_amount = tdi.round_ore(net * vat.rate)
    return Quote(
        tier=item.tier,
        unit=item.unit,
        unit_price=item.price,
        quantity=quantity,
        net_amount=net,
        vat_rate=vat.rate,
        vat_amount=vat_amount,
        total_amount=net + vat_amount,
        currency=CURRENCY,
        price_list_id=price_list_id,
        vat_category=vat.category,
        vat_reason_code=vat.reason_code,
        vat_reason=vat.reason,
    )


def overlapping_price_list(
    *, resource, valid_from: datetime.date, valid_to: datetime.date | None, exclude: PriceList | None = None
) -> PriceList | None:
    """Another price list of the resource whose validity shares a day with [valid_from, valid_to]."""
    lists = PriceList.objects.filter(resource=resource).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        lists = lists.filter(valid_from__lte=valid_to)
    if exclude is not None and exclude.pk:
        lists = lists.exclude(pk=exclude.pk)
    return lists.order_by("valid_from").first()


def cost_base_for(*, resource, year: int) -> CostBase | None:
    """The cost base for `year`, or the latest earlier one (a cost base holds until replaced)."""
    return (
        CostBase.objects.filter(resource=resource, year__lte=year)
        .prefetch_related(Prefetch("staff_lines", queryset=CostBaseStaffLine.objects.order_by("id")))
        .order_by("-year")
        .first()
    )


def cost_bases_for_resources(*, resources, year: int) -> dict[int, CostBase]:
    """cost_base_for for many resources in two queries: {resource id: its cost base for `year` or the latest
    earlier one}; resources without one are left out."""
    cost_bases = (
        CostBase.objects.filter(resource_id__in=[resource.pk for resource in resources], year__lte=year)
        .prefetch_related(Prefetch("staff_lines", queryset=CostBaseStaffLine.objects.order_by("id")))
        .order_by("resource_id", "-year")
    )
    found: dict[int, CostBase] = {}
    for cost_base in cost_bases:
        found.setdefault(cost_base.resource_id, cost_base)
    return found


def cost_base_result(cost_base: CostBase) -> tdi.TdiResult:
    return tdi.calculate(cost_base.tdi_inputs())


def cost_base_result_or_none(cost_base: CostBase | None) -> tdi.TdiResult | None:
    """cost_base_result for pages: None for no cost base, or one the calculator refuses (saved past the service,
    e.g. in the admin, with equipment but no depreciation years), so a page shows no breakdown instead of failing."""
    if cost_base is None:
        return None
    try:
        return cost_base_result(cost_base)
    except DomainError:
        return None


def annual_capacity_hours(*, resource, year: int) -> Decimal | None:
    """Hours the resource can be used in a calendar year, from its cost base; None when unknown.

    (Contract for the state-aid monitor: economic hours booked divided by this.) Only the cost base of that very
    year counts, and only when its capacity is counted in hours.
    """
    cost_base = CostBase.objects.filter(resource=resource, year=year).only("capacity_units", "capacity_unit").first()
    if cost_base is None or cost_base.capacity_unit != CapacityUnit.HOUR:
        return None
    return cost_base.capacity_units


def annual_capacity_hours_for_resources(*, resources, year: int) -> dict[int, Decimal | None]:
    """annual_capacity_hours for many resources in one query: {resource id: hours, or None when unknown}."""
    ids = [resource.pk for resource in resources]
    found = dict(
        CostBase.objects.filter(resource_id__in=ids, year=year, capacity_unit=CapacityUnit.HOUR).values_list(
            "resource_id", "capacity_units"
        )
    )
    return {resource_id: found.get(resource_id) for resource_id in ids}


# --- The full-cost floor ----------------------------------------------------------------------------------------
# An external economic price is never below full cost plus the minimum margin (PRICING_MINIMUM_MARGIN), compared
# in the unit of the price: the cost base counts hours or samples, and a price per half day, day or fixed fee is
# compared with the full cost of the hours or samples it covers. Units the cost base does not count cannot be
# compared, so they are refused for economic prices.

# How many of the cost base's units one price unit covers (a fixed fee: its declared quantity, see floor_quantity).
COST_BASE_UNITS_PER_PRICE_UNIT = {
    CapacityUnit.HOUR: HOURS_PER_UNIT,
    CapacityUnit.SAMPLE: {PriceUnit.SAMPLE: Decimal(1)},
}


def minimum_margin() -> Decimal:
    """The setting PRICING_MINIMUM_MARGIN as a fraction (0.05 unless configured)."""
    return Decimal(str(settings.PRICING_MINIMUM_MARGIN))


def minimum_margin_percent() -> str:
    """The minimum margin as a percentage for people: "5", "7,5" (in the active language's decimal mark)."""
    percent = (minimum_margin() * 100).normalize()
    return number_format(percent, max(0, -percent.as_tuple().exponent))


def floor_quantity(
    *, capacity_unit: str, unit: str, fixed_fee_quantity: Decimal | None = None, fixed_fee_unit: str = ""
) -> Decimal | None:
    """How many of the cost base's units (hours or samples) one `unit` of price covers; None when the cost base
    does not count that unit (a per-sample price on an hour-based cost base, a fixed fee whose quantity is not
    given or is given in the other unit)."""
    if unit == PriceUnit.FIXED:
        if fixed_fee_quantity is None or fixed_fee_unit != capacity_unit:
            return None
        return Decimal(fixed_fee_quantity)
    return COST_BASE_UNITS_PER_PRICE_UNIT.get(capacity_unit, {}).get(unit)


def full_cost_floor(*, cost_base: CostBase, quantity: Decimal) -> Decimal:
    """Full cost of `quantity` of the cost base's units plus the minimum margin, rounded up to the øre, so that
    no price below the exact figure passes. Multiplied before it is divided, so that a floor that is a whole
    number of øre (2 000 NOK a year over 3 hours at 5 %: 700.00) is exactly that. DomainError when the
    calculator refuses the cost base."""
    result = cost_base_result(cost_base)
    exact = result.annual_full_cost * (1 + minimum_margin()) * quantity / cost_base.capacity_units
    return exact.quantize(tdi.ORE, rounding=ROUND_CEILING)


def economic_price_floor(
    *, cost_base: CostBase, unit: str, fixed_fee_quantity: Decimal | None = None, fixed_fee_unit: str = ""
) -> Decimal | None:
    """The lowest external economic price allowed per `unit` under `cost_base`: full cost plus the minimum margin
    (state aid, §25). Hour-based cost bases give floors for hour, half day (4 h), day (8 h) and a fixed fee
    covering so many hours; sample-based ones for a sample and a fixed fee covering so many samples.
    None when the cost base does not count the unit (see floor_quantity)."""
    quantity = floor_quantity(
        capacity_unit=cost_base.capacity_unit,
        unit=unit,
        fixed_fee_quantity=fixed_fee_quantity,
        fixed_fee_unit=fixed_fee_unit,
    )
    return None if quantity is None else full_cost_floor(cost_base=cost_base, quantity=quantity)


def cost_bases_covering(*, resource, first_day: datetime.date, last_day: datetime.date | None) -> list:
    """The cost bases a price list valid from `first_day` to `last_day` (None: open-ended) must respect: the one
    in force on its first day (that year's or the latest earlier), then those of the later years it reaches.
    The first element is None when no cost base is in force on the first day."""
    later = CostBase.objects.filter(resource=resource, year__gt=first_day.year)
    if last_day is not None:
        later = later.filter(year__lte=last_day.year)
    later = later.prefetch_related("staff_lines")  # the floor is a sum: the lines' order does not matter
    return [cost_base_for(resource=resource, year=first_day.year), *later.order_by("year")]


def economic_price_floors(*, cost_base: CostBase) -> list[tuple[str, Decimal]]:
    """(unit label, lowest economic price) for each unit the cost base counts, for the price-list form; a fixed
    fee's floor is the first one times the hours or samples it covers."""
    return [
        (PriceUnit(unit).label, full_cost_floor(cost_base=cost_base, quantity=quantity))
        for unit, quantity in COST_BASE_UNITS_PER_PRICE_UNIT[cost_base.capacity_unit].items()
    ]


def blocked_price_messages(price_list: PriceList) -> list[str]:
    """Why each blocked price of the list cannot be booked, for the manager (uses the prefetched items)."""
    blocked = price_list.blocked_items
    if not blocked:
        return []
    counted = dict(CostBase.objects.filter(resource_id=price_list.resource_id).values_list("year", "capacity_unit"))
    return [
        floor_breach_message(
            reason=item.blocked_reason, unit=item.unit, price=item.price, floor=item.blocked_floor,
            cost_base_year=item.blocked_cost_base_year, capacity_unit=counted.get(item.blocked_cost_base_year, ""),
        )
        for item in blocked
    ]  # fmt: skip


def blocked_price_count(*, resource) -> int:
    """How many prices of the resource's current and future lists are blocked (the cost-base page warns)."""
    today = timezone.localdate()
    return (
        PriceListItem.objects.filter(price_list__resource=resource)
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=today))
        .exclude(blocked_reason="")
        .count()
    )


@dataclass(frozen=True)
class FloorBreachFound:
    """Why an economic price cannot stand: `reason` a FloorBreach, `field` the input at fault, and for a price
    below the floor the floor and the year of the cost base that sets it."""

    reason: str
    field: str
    floor: Decimal | None = None
    cost_base_year: int | None = None
    capacity_unit: str = ""


def economic_price_breach(
    *,
    cost_bases: list,
    unit: str,
    price: Decimal,
    price_field: str = "",
    fixed_fee_quantity: Decimal | None = None,
    fixed_fee_unit: str = "",
) -> FloorBreachFound | None:
    """What is wrong with the external economic price `price` per `unit` under `cost_bases` (from
    cost_bases_covering), or None when it respects every one of them. A missing cost base, an unmeasured unit
    or a fixed fee without its quantity comes before a low price; of several floors the highest is named."""
    if not cost_bases or cost_bases[0] is None:
        return FloorBreachFound(FloorBreach.NO_COST_BASE, price_field)
    if unit == PriceUnit.FIXED and fixed_fee_quantity is None:
        return FloorBreachFound(FloorBreach.NO_FIXED_FEE_QUANTITY, "fixed_fee_quantity")
    highest = None
    for cost_base in cost_bases:
        try:
            floor = economic_price_floor(
                cost_base=cost_base, unit=unit, fixed_fee_quantity=fixed_fee_quantity, fixed_fee_unit=fixed_fee_unit
            )
        except DomainError:  # saved past the service (the admin) with figures the calculator refuses
            return FloorBreachFound(FloorBreach.NO_COST_BASE, price_field, cost_base_year=cost_base.year)
        if floor is None:
            field = "fixed_fee_unit" if unit == PriceUnit.FIXED else price_field
            return FloorBreachFound(
                FloorBreach.UNIT_NOT_MEASURED, field, cost_base_year=cost_base.year,
                capacity_unit=cost_base.capacity_unit,
            )  # fmt: skip
        if price < floor and (highest is None or floor > highest.floor):
            highest = FloorBreachFound(FloorBreach.BELOW_FLOOR, price_field, floor, cost_base.year)
    return highest


def floor_breach_message(
    *,
    reason: str,
    unit: str,
    price: Decimal | None,
    floor: Decimal | None = None,
    cost_base_year: int | None = None,
    capacity_unit: str = "",
) -> str:
    """A sentence for the manager on why an economic price cannot stand and what to do (the page, the API's
    400 and the e-mail about blocked prices say the same)."""
    unit_label = str(PriceUnit(unit).label).lower() if unit in PriceUnit.values else unit
    if reason == FloorBreach.BELOW_FLOOR:
        return _(
            "The external economic price per %(unit)s (%(price)s) is below %(floor)s, full cost plus the minimum "
            "margin of %(margin)s %% from the %(year)s cost base. Selling below that to economic users would be "
            "state aid (EEA R&D&I framework §25); set at least %(floor)s."
        ) % {
            "unit": unit_label,
            "price": money_text(price) if price is not None else "–",
            "floor": money_text(floor),
            "margin": minimum_margin_percent(),
            "year": cost_base_year,
        }
    if reason == FloorBreach.UNIT_NOT_MEASURED:
        counted = str(CapacityUnit(capacity_unit).label).lower() if capacity_unit in CapacityUnit.values else ""
        if unit == PriceUnit.FIXED:
            return _(
                "The %(year)s cost base counts its capacity in %(counted)s, so an economic fixed fee must say how "
                "many %(counted)s it covers to be checked against full cost."
            ) % {"year": cost_base_year, "counted": counted}
        return _(
            "The %(year)s cost base counts its capacity in %(counted)s, so an economic price per %(unit)s cannot "
            "be checked against full cost. Price economic use in the unit the cost base counts (hours: per hour, "
            "half day or day; samples: per sample), or as a fixed fee that says how much it covers."
        ) % {"year": cost_base_year, "counted": counted, "unit": unit_label}
    if reason == FloorBreach.NO_FIXED_FEE_QUANTITY:
        return _(
            "Say how many hours or samples one fixed fee covers: an economic fixed fee is checked against the full "
            "cost of that quantity."
        )
    if cost_base_year is not None:
        return _(
            "The %(year)s cost base cannot be calculated, so no economic price can be checked against it; "
            "correct the cost base."
        ) % {"year": cost_base_year}
    return _(
        "An external economic price needs a cost base in force on the first day of the price list, to be checked "
        "against full cost; enter the cost base of that year first."
    )


QUOTE_UNITS = (PriceUnit.HOUR, PriceUnit.HALF_DAY, PriceUnit.DAY, PriceUnit.SAMPLE)


def quote_floor_check(
    *,
    facility_id: int,
    resource_id: int | None,
    unit: str,
    quantity: Decimal | None,
    amount: Decimal,
    day: datetime.date | None = None,
) -> None:
    """Refuse a quoted amount (an intake proposal) below full cost plus the minimum margin of what it covers:
    `quantity` × `unit` of the resource `resource_id` of the facility, under the cost base in force on `day`
    (today). Raises DomainError naming the field at fault (quote_resource, quote_unit, quote_quantity,
    quote_amount); registered with core.references as QUOTE_FLOOR, so that intake asks without importing pricing.
    """
    resource = Resource.objects.filter(pk=resource_id, facility_id=facility_id).first()
    if resource is None:
        raise DomainError(
            _("Choose the resource of your facility that the quote covers."), field="quote_resource", code="required"
        )
    if unit not in QUOTE_UNITS:
        raise DomainError(
            _("Choose whether the quote covers hours, half days, days or samples."), field="quote_unit",
            code="required",
        )  # fmt: skip
    if quantity is None or Decimal(quantity) <= 0:
        raise DomainError(
            _("Say how many hours, days or samples the quote covers."), field="quote_quantity", code="required"
        )
    quantity = Decimal(quantity)
    cost_base = cost_base_for(resource=resource, year=(day or timezone.localdate()).year)
    units = floor_quantity(capacity_unit=cost_base.capacity_unit, unit=unit) if cost_base is not None else None
    if cost_base is not None and units is None:
        raise DomainError(
            floor_breach_message(
                reason=FloorBreach.UNIT_NOT_MEASURED, unit=unit, price=None, cost_base_year=cost_base.year,
                capacity_unit=cost_base.capacity_unit,
            ),
            field="quote_unit",
            code=FLOOR_BREACH_CODES[FloorBreach.UNIT_NOT_MEASURED],
        )  # fmt: skip
    try:
        floor = full_cost_floor(cost_base=cost_base, quantity=units * quantity) if cost_base is not None else None
    except DomainError:  # a cost base the calculator refuses (saved past the service): no floor to offer
        floor = None
    if floor is None:
        raise DomainError(
            floor_breach_message(
                reason=FloorBreach.NO_COST_BASE, unit=unit, price=None,
                cost_base_year=cost_base.year if cost_base is not None else None,
            ),
            field="quote_resource",
            code=FLOOR_BREACH_CODES[FloorBreach.NO_COST_BASE],
        )  # fmt: skip
    if Decimal(amount) < floor:
        raise DomainError(
            _(
                "The quoted amount (%(amount)s) is below %(floor)s, the full cost of %(quantity)s × %(unit)s of "
                "%(resource)s plus the minimum margin of %(margin)s %% (the %(year)s cost base). A company may not "
                "be offered less (state aid, EEA R&D&I framework §25)."
            )
            % {
                "amount": money_text(amount),
                "floor": money_text(floor),
                "quantity": number_format(quantity, 0 if quantity == quantity.to_integral_value() else 2),
                "unit": str(PriceUnit(unit).label).lower(),
                "resource": resource.name,
                "margin": minimum_margin_percent(),
                "year": cost_base.year,
            },
            field="quote_amount",
            code="below_full_cost",
        )


# The error codes of the floor's refusals, in the API's 400 answers.
FLOOR_BREACH_CODES = {
    FloorBreach.BELOW_FLOOR: "below_full_cost",
    FloorBreach.NO_COST_BASE: "no_cost_base",
    FloorBreach.UNIT_NOT_MEASURED: "unit_not_measured",
    FloorBreach.NO_FIXED_FEE_QUANTITY: "fixed_fee_quantity_required",
}


# --- Collaboration agreements and the VAT table, for pages and the API ------------------------------------------


def agreements_of_person(user) -> list[CollaborationAgreement]:
    """The agreements the person proposed or is named in, newest first (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        CollaborationAgreement.objects.filter(Q(proposed_by=user) | Q(participants=user))
        .distinct()
        .select_related("facility__institution")
        .prefetch_related("participants")
        .order_by("-created_at", "-id")
    )


def agreements_of_facilities(facility_ids) -> list[CollaborationAgreement]:
    """The agreements of the facilities, proposed ones first, then the newest (two queries)."""
    return list(
        CollaborationAgreement.objects.filter(facility_id__in=list(facility_ids))
        .select_related("facility__institution", "proposed_by", "decided_by")
        .prefetch_related("participants")
        .order_by(
            Case(When(status=AgreementStatus.PROPOSED, then=0), default=1, output_field=IntegerField()),
            "-created_at",
            "-id",
        )
    )


@dataclass(frozen=True)
class VatTableRow:
    """One line of an institution's VAT table: a kind of transaction (and access model), the default treatment,
    and the institution's own rule where it has one (None: the default applies)."""

    transaction: str
    access_model: str  # "" for the internal transfer, which is the same whatever the access model
    default: terms_rules.VatTreatment
    rule: VatRule | None

    @property
    def applies(self) -> terms_rules.VatTreatment:
        return terms_rules.vat_treatment(transaction=self.transaction, override=self.rule)

    @property
    def transaction_label(self) -> str:
        return str(Transaction(self.transaction).label)

    @property
    def access_model_label(self) -> str:
        return str(AccessModel(self.access_model).label) if self.access_model else ""


def vat_table(*, institution_id: int) -> list[VatTableRow]:
    """The VAT the institution applies, by transaction and access model (one query): the internal transfer, a
    sale of rental, service and commissioned research, collaboration research under an agreement."""
    rules = vat_rules_of(institution_id=institution_id)
    rows = [
        VatTableRow(Transaction.INTERNAL_TRANSFER, "", terms_rules.DEFAULT_VAT[Transaction.INTERNAL_TRANSFER], None)
    ]
    for access_model in AccessModel.values:
        transaction = Transaction.COLLABORATION if access_model == AccessModel.COLLABORATION else Transaction.SALE
        rows.append(
            VatTableRow(transaction, access_model, terms_rules.DEFAULT_VAT[transaction], rules.get(access_model))
        )
    return rows


def vat_rule_changes(*, institution_id: int, limit: int = 100) -> list[VatRuleChange]:
    """The latest changes of the institution's VAT table, newest first, with who made them."""
    return list(
        VatRuleChange.objects.filter(institution_id=institution_id)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def resources_priced_by(user):
    """The active resources whose cost base and prices `user` may enter (pricing.policies.can_manage_prices), by
    facility and name: what the calculator offers to save its figures to."""
    return (
        Resource.objects.filter(facility_id__in=roles.managed_facility_ids(user), is_active=True)
        .select_related("facility")
        .order_by("facility__name", "name")
    )
