"""Who may keep a resource's cost base and prices: a matrix of roles against the resource's facility."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from catalogue.choices import InstitutionRoleKind
from core.errors import DomainError
from pricing import policies, services
from pricing.choices import PriceTier, PriceUnit
from pricing.models import CostBase, PriceList
from tests.factories import (
    AcademicUserFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    UserFactory,
)
from tests.pricing.factories import PriceListFactory
from tests.pricing.test_blocked_prices import STAFF, cost_base_values


def make_user(role, resource):
    facility = resource.facility
    if role == "anonymous":
        return AnonymousUser()
    if role == "company":
        return UserFactory()
    if role == "academic_same_institution":
        return AcademicUserFactory(institution=facility.institution)
    if role == "manager_of_facility":
        return FacilityManagerFactory(facility=facility).user
    if role == "manager_of_other_facility":
        return FacilityManagerFactory(facility=FacilityFactory(institution=facility.institution)).user
    if role == "admin_of_institution":
        return InstitutionRoleFactory(institution=facility.institution, role=InstitutionRoleKind.ADMIN).user
    if role == "admin_of_other_institution":
        return InstitutionRoleFactory(role=InstitutionRoleKind.ADMIN).user
    if role == "screener_of_institution":
        return InstitutionRoleFactory(institution=facility.institution, role=InstitutionRoleKind.SCREENER).user
    if role == "platform_admin":
        return UserFactory(is_staff=True)
    if role == "inactive_manager":
        user = FacilityManagerFactory(facility=facility).user
        user.is_active = False
        user.save()
        return user
    raise AssertionError(role)


MATRIX = [
    # role, may manage prices / see cost base, may get a quote
    ("anonymous", False, False),
    ("company", False, True),
    ("academic_same_institution", False, True),
    ("manager_of_facility", True, True),
    ("manager_of_other_facility", False, True),
    ("admin_of_institution", True, True),
    ("admin_of_other_institution", False, True),
    ("screener_of_institution", False, True),
    ("platform_admin", True, True),
    ("inactive_manager", False, False),
]


@pytest.mark.parametrize("role, may_manage, may_quote", MATRIX)
def test_policy_matrix(resource, role, may_manage, may_quote):
    user = make_user(role, resource)
    assert policies.can_manage_prices(user, resource) is may_manage
    assert policies.can_view_cost_base(user, resource) is may_manage
    assert policies.can_get_quote(user, resource) is may_quote


@pytest.mark.parametrize("role, may_manage, may_quote", MATRIX)
def test_manager_pages_follow_the_policy(client, resource, role, may_manage, may_quote):
    user = make_user(role, resource)
    if role != "anonymous" and user.is_active:
        client.force_login(user)
    for url in (f"/pricing/resources/{resource.pk}/cost-base/", f"/pricing/resources/{resource.pk}/price-lists/"):
        response = client.get(url)
        if may_manage:
            assert response.status_code == 200
        elif role in ("anonymous", "inactive_manager"):
            assert response.status_code == 302  # to the log-in page
        else:
            assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role, may_manage, may_quote", MATRIX)
def test_the_price_writes_follow_the_same_policy_whoever_calls_them(resource, role, may_manage, may_quote):
    """The services themselves refuse someone who may not manage the resource's prices (a command, an API or a
    page all go through them): nothing is saved for such a person."""

    user = make_user(role, resource)
    year = datetime.date.today().year
    prices = {(PriceTier.INTERNAL, PriceUnit.HOUR): Decimal("100.00")}
    writes = (
        lambda: services.cost_base_save(actor=user, resource=resource, year=year, staff=STAFF, **cost_base_values()),
        lambda: services.price_list_save(
            actor=user, resource=resource, valid_from=datetime.date(year, 1, 1), valid_to=None, prices=prices
        ),
    )
    for write in writes:
        if may_manage:
            write()
        else:
            with pytest.raises(PermissionDenied):
                write()
    assert CostBase.objects.filter(resource=resource).exists() is may_manage
    assert PriceList.objects.filter(resource=resource).exists() is may_manage


@pytest.mark.django_db
def test_a_manager_cannot_rewrite_another_resources_price_list_through_their_own(resource):

    manager = FacilityManagerFactory(facility=resource.facility).user
    foreign = PriceListFactory()
    with pytest.raises(DomainError) as refused:
        services.price_list_save(
            actor=manager, resource=resource, price_list=foreign, valid_from=datetime.date(2026, 1, 1),
            valid_to=None, prices={(PriceTier.INTERNAL, PriceUnit.HOUR): Decimal("1.00")},
        )  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("price_list", "invalid")
    foreign.refresh_from_db()
    assert foreign.resource_id != resource.pk
