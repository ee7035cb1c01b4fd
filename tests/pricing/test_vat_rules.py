"""The institution's VAT table: defaults by transaction, overrides per access model by the institution's admins,
every change audited, visible to the institution's managers (portal and API)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from core.errors import DomainError
from pricing import selectors, services
from pricing.choices import PriceTier, PriceUnit
from pricing.models import VatRule, VatRuleChange
from tests.factories import (
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    ResourceFactory,
    UserFactory,
)
from tests.pricing.factories import PriceListFactory, PriceListItemFactory

pytestmark = pytest.mark.django_db

D = Decimal
EXEMPT = {"category": "E", "rate": D(0), "reason": "Unntatt etter merverdiavgiftsloven § 3-2"}
REDUCED = {"category": "S", "rate": D("0.15"), "reason": ""}


@pytest.fixture
def institution(db):
    return FacilityFactory().institution


@pytest.fixture
def admin(institution):
    return InstitutionRoleFactory(institution=institution, role="admin").user


def test_the_default_table(institution):
    rows = [(row.transaction, row.access_model, row.applies.category, row.applies.rate, row.applies.invoiced)
            for row in selectors.vat_table(institution_id=institution.pk)]  # fmt: skip
    assert rows == [
        ("internal_transfer", "", "O", D(0), False),
        ("sale", "rental", "S", D("0.25"), True),
        ("sale", "service", "S", D("0.25"), True),
        ("sale", "commissioned", "S", D("0.25"), True),
        ("collaboration", "collaboration", "O", D(0), True),
    ]


def test_an_override_and_its_removal_are_audited(institution, admin):
    services.vat_rule_save(
        institution=institution, access_model="service", actor=admin, note="Skattekontoret", **EXEMPT
    )
    services.vat_rule_save(institution=institution, access_model="service", actor=admin, note="Samme", **EXEMPT)
    services.vat_rule_save(institution=institution, access_model="service", actor=admin, note="Tilbake")
    changes = list(VatRuleChange.objects.order_by("id").values_list("actor", "before", "after", "note"))
    assert changes == [
        (admin.pk, None, {"category": "E", "rate": "0.0000", "reason_code": "", "reason": EXEMPT["reason"]},
         "Skattekontoret"),
        (admin.pk, {"category": "E", "rate": "0.0000", "reason_code": "", "reason": EXEMPT["reason"]}, None, "Tilbake"),
    ]  # fmt: skip
    assert not VatRule.objects.exists()


@pytest.mark.parametrize(
    "values, field, code",
    [
        ({"category": "E", "rate": D(0), "reason": ""}, "reason", "reason_required"),
        ({"category": "S", "rate": D(0)}, "rate", "rate_required"),
        ({"category": "S"}, "rate", "required"),
        ({"category": "S", "rate": D("0.25"), "access_model": "charity"}, "access_model", "invalid_access_model"),
    ],
)
def test_a_bad_rule_names_the_field_and_changes_nothing(institution, admin, values, field, code):
    arguments = {"access_model": "service", **values}
    with pytest.raises(DomainError) as error:
        services.vat_rule_save(institution=institution, actor=admin, **arguments)
    assert (error.value.field, error.value.code) == (field, code)
    assert not VatRule.objects.exists() and not VatRuleChange.objects.exists()


def test_an_institutions_rule_is_its_own_and_its_history_names_the_access_model(institution, admin):
    other = FacilityFactory().institution
    services.vat_rule_save(institution=other, access_model="service", actor=UserFactory(is_staff=True), **REDUCED)
    saved = services.vat_rule_save(institution=institution, access_model="service", actor=admin, note=None, **EXEMPT)
    assert (saved.institution, saved.category) == (institution, "E")
    assert sorted(VatRule.objects.values_list("institution", "category")) == sorted(
        [(institution.pk, "E"), (other.pk, "S")]
    )  # fmt: skip
    change = VatRuleChange.objects.get(institution=institution)
    assert (change.access_model, change.note) == ("service", "")


def test_only_the_institutions_admins_change_it(institution):
    facility_manager = FacilityManagerFactory(facility=institution.facilities.get()).user
    for outsider in (facility_manager, InstitutionRoleFactory(role="admin").user, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.vat_rule_save(institution=institution, access_model="service", actor=outsider, **EXEMPT)
    services.vat_rule_save(institution=institution, access_model="service", actor=UserFactory(is_staff=True), **EXEMPT)


def test_managers_see_the_table_admins_change_it_on_the_page(client, institution, admin):
    manager = FacilityManagerFactory(facility=institution.facilities.get()).user
    client.force_login(manager)
    page = client.get(f"/pricing/institutions/{institution.pk}/vat/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "not tax advice" in page.content.decode() and "Override the default" not in page.content.decode()
    assert client.post(f"/pricing/institutions/{institution.pk}/vat/", {"access_model": "service"}).status_code == 403
    client.force_login(UserFactory())
    assert client.get(f"/pricing/institutions/{institution.pk}/vat/").status_code == 403

    client.force_login(admin)
    refused = client.post(
        f"/pricing/institutions/{institution.pk}/vat/", {"access_model": "service", "category": "E", "rate": "0"}
    )
    assert refused.status_code == 400 and "reason" in refused.context["form"].errors
    saved = client.post(
        f"/pricing/institutions/{institution.pk}/vat/",
        {"access_model": "service", "category": "E", "rate": "0", "reason": EXEMPT["reason"], "note": "Vedtak"},
    )
    assert saved.status_code == 302
    page = client.get(f"/pricing/institutions/{institution.pk}/vat/").content.decode()
    assert EXEMPT["reason"] in page and "Vedtak" in page


def test_the_api_shows_the_table_and_takes_an_override(institution, admin):
    api = APIClient()
    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/pricing/institutions/{institution.pk}/vat-table/").status_code == 404
    api.force_authenticate(admin)
    answer = api.post(
        f"/api/v1/pricing/institutions/{institution.pk}/vat-table/",
        {"access_model": "service", "category": "E", "rate": "0", "reason": ""}, format="json",
    )  # fmt: skip
    assert answer.status_code == 400 and "reason" in answer.json()
    answer = api.post(
        f"/api/v1/pricing/institutions/{institution.pk}/vat-table/",
        {"access_model": "service", "category": "E", "rate": "0", "reason": EXEMPT["reason"]}, format="json",
    )  # fmt: skip
    assert answer.status_code == 200
    service = next(row for row in answer.json() if row["access_model"] == "service")
    assert (service["applies"]["category"], service["default"]["category"], service["overridden"]) == ("E", "S", True)


# What the public price tables (page and API) show incl. VAT for the economic price of 100.00 a day, by the access
# models the facility offers and the institution's own VAT rules: the sale's rate, or "see the quote" when the
# facility's access models are taxed differently.
PUBLIC_VAT = [
    # offers (rental, service), institution's rules, VAT rate shown, incl. VAT shown
    ((True, False), {}, "0.2500", "125.00"),
    ((True, False), {"rental": EXEMPT}, "0.0000", "100.00"),
    ((True, False), {"service": EXEMPT}, "0.2500", "125.00"),
    ((True, True), {"service": EXEMPT}, None, None),
    ((True, True), {"rental": EXEMPT, "service": EXEMPT}, "0.0000", "100.00"),
    ((False, True), {"rental": EXEMPT}, "0.2500", "125.00"),
    ((True, False), {"rental": REDUCED}, "0.1500", "115.00"),  # the non-economic price stays outside the scope
]


@pytest.mark.parametrize("offers, rules, rate, incl", PUBLIC_VAT)
def test_public_prices_carry_the_institutions_vat_for_what_the_facility_sells(
    admin, institution, offers, rules, rate, incl
):
    facility = FacilityFactory(
        institution=institution, offers_rental=offers[0], offers_service=offers[1], offers_commissioned=False,
        offers_collaboration=True,
    )  # fmt: skip
    resource = ResourceFactory(facility=facility)
    price_list = PriceListFactory(resource=resource, valid_from=datetime.date(2020, 1, 1), valid_to=None)
    PriceListItemFactory(price_list=price_list, tier=PriceTier.EXTERNAL_ECONOMIC, unit=PriceUnit.DAY, price=D(100))
    PriceListItemFactory(price_list=price_list, tier=PriceTier.INTERNAL, unit=PriceUnit.DAY, price=D(50))
    PriceListItemFactory(price_list=price_list, tier=PriceTier.EXTERNAL_NON_ECONOMIC, unit=PriceUnit.DAY, price=D(80))
    for access_model, values in rules.items():
        services.vat_rule_save(institution=institution, access_model=access_model, actor=admin, note="", **values)
    # Another institution's own rules change nothing here.
    elsewhere = FacilityFactory().institution
    other_admin = InstitutionRoleFactory(institution=elsewhere, role="admin").user
    for access_model in ("rental", "service"):
        services.vat_rule_save(institution=elsewhere, access_model=access_model, actor=other_admin, note="", **EXEMPT)

    [listed] = APIClient().get(f"/api/v1/resources/{resource.pk}/prices/").json()
    items = {item["tier"]: item for item in listed["items"]}
    assert (items["external_economic"]["vat_rate"], items["external_economic"]["price_incl_vat"]) == (rate, incl)
    assert (items["internal"]["vat_rate"], items["internal"]["price_incl_vat"]) == ("0.0000", "50.00")
    # collaboration research under an agreement: outside the scope of VAT, whatever the sales carry
    assert (items["external_non_economic"]["vat_rate"], items["external_non_economic"]["price_incl_vat"]) == (
        "0.0000", "80.00",
    )  # fmt: skip

    page = Client().get(f"/facilities/{facility.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    if rate is None:
        assert "depends on the access model: see the quote" in page
    elif rate == "0.2500":
        assert "125.00" in page or "125,00" in page
    else:
        assert "125.00" not in page and "125,00" not in page
