"""The institution's VAT table: defaults by transaction, overrides per access model by the institution's admins,
every change audited, visible to the institution's managers (portal and API)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from core.errors import DomainError
from pricing import selectors, services
from pricing.models import VatRule, VatRuleChange
from tests.factories import FacilityFactory, FacilityManagerFactory, InstitutionRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
EXEMPT = {"category": "E", "rate": D(0), "reason": "Unntatt etter merverdiavgiftsloven § 3-2"}


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
    "values, field",
    [
        ({"category": "E", "rate": D(0), "reason": ""}, "reason"),
        ({"category": "S", "rate": D(0)}, "rate"),
        ({"category": "S"}, "rate"),
        ({"category": "S", "rate": D("0.25"), "access_model": "charity"}, "access_model"),
    ],
)
def test_a_bad_rule_names_the_field_and_changes_nothing(institution, admin, values, field):
    arguments = {"access_model": "service", **values}
    with pytest.raises(DomainError) as error:
        services.vat_rule_save(institution=institution, actor=admin, **arguments)
    assert error.value.field == field
    assert not VatRule.objects.exists() and not VatRuleChange.objects.exists()


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
