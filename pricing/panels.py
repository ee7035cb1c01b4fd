"""Panels pricing adds to pages the catalogue owns (registered in PricingConfig.ready)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.choices import AccessModel
from pricing import policies, selectors
from pricing.choices import PriceTier, PriceUnit


def facility_prices(request, facility):
    """Public prices of the facility's resources valid today: excl. VAT, and incl. VAT for tiers that pay it."""
    resources = list(facility.resources.filter(is_active=True).order_by("name"))
    by_resource = selectors.current_price_lists_by_resource(resources=resources)
    selectors.price_lists_with_vat(by_resource.values())
    priced = [resource for resource in resources if resource.id in by_resource]
    # How each price is made: the TDI breakdown of the cost base the prices rest on, for the customer too.
    cost_bases = selectors.cost_bases_for_resources(resources=priced, year=timezone.localdate().year)
    rows = []
    for resource in priced:
        price_list = by_resource[resource.id]
        items = sorted(
            price_list.items.all(),
            key=lambda item: (PriceTier.values.index(item.tier), PriceUnit.values.index(item.unit)),
        )
        cost_base = cost_bases.get(resource.id)
        rows.append(
            {
                "resource": resource,
                "price_list": price_list,
                "items": items,
                "cost_base": cost_base,
                "result": selectors.cost_base_result_or_none(cost_base),
            }
        )
    if not rows:
        return None
    return {"price_rows": rows, "your_tiers": _your_tiers(request.user, priced[0])}


def _your_tiers(user, resource) -> list[dict] | None:
    """For a signed-in user: the tiers they pay here and for which access models (the same for every resource of
    a facility), so the page can say which rows are theirs. None for anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return None
    by_tier: dict[str, list[str]] = {}
    for access_model, tier in selectors.tiers_by_access_model(user, resource).items():
        if tier is not None:
            by_tier.setdefault(tier, []).append(str(AccessModel(access_model).label).lower())
    return [
        {"tier": tier, "tier_label": PriceTier(tier).label, "access_models": ", ".join(models)}
        for tier, models in by_tier.items()
    ]


def facility_manage(request, facility):
    """Links to each resource's cost base and price lists, for those who may keep them."""
    resources = list(facility.resources.select_related("facility").order_by("name"))
    if not resources or not policies.can_manage_prices(request.user, resources[0]):
        return None
    return {"resources": resources, "facility": facility}


def search_result_facts(request, facilities) -> dict[int, list[dict]]:
    """ "From" price on each search result, for the person looking (an anonymous visitor: the external price)."""
    from pricing.price_summaries import from_prices

    facts = {}
    texts: dict = {}  # the results of a page often share a price
    for facility_id, price in from_prices(facilities=facilities, user=getattr(request, "user", None)).items():
        key = (price.price, price.price_incl_vat, price.unit)
        if key not in texts:
            texts[key] = {"text": _from_price_text(price), "css": "price"}
        facts[facility_id] = [texts[key]]
    return facts


def _from_price_text(price) -> str:
    from core.formatting import money_text

    unit = PriceUnit(price.unit).label.lower() if price.unit in PriceUnit.values else price.unit
    if price.price_incl_vat is None:
        return _("From %(price)s per %(unit)s excl. VAT") % {"price": money_text(price.price), "unit": unit}
    if price.price_incl_vat != price.price:
        return _("From %(price)s per %(unit)s excl. VAT (%(incl)s incl. VAT)") % {
            "price": money_text(price.price), "unit": unit, "incl": money_text(price.price_incl_vat),
        }  # fmt: skip
    return _("From %(price)s per %(unit)s (no VAT)") % {"price": money_text(price.price), "unit": unit}
