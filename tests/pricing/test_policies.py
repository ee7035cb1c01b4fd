"""Who may keep a resource's cost base and prices: a matrix of roles against the resource's facility."""

import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue.choices import InstitutionRoleKind
from pricing import policies
from tests.factories import (
    AcademicUserFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    UserFactory,
)


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
