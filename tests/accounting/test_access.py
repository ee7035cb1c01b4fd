"""Who may see the accounts: policy matrix (role × whose facility), and the same answers from pages and API."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounting import policies
from catalogue.choices import InstitutionRoleKind
from tests.factories import (
    AcademicUserFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "company",
    "academic_same_institution",
    "screener",
    "manager",
    "manager_of_sibling_facility",
    "manager_elsewhere",
    "institution_admin",
    "admin_elsewhere",
    "platform_admin",
]
MAY_SEE_FACILITY = {"manager", "institution_admin", "platform_admin"}
MAY_SEE_INSTITUTION = {"institution_admin", "platform_admin"}


@pytest.fixture
def facility():
    return FacilityFactory()


def make_user(role, facility):
    institution = facility.institution
    if role == "anonymous":
        return AnonymousUser()
    if role == "company":
        return UserFactory()
    if role == "academic_same_institution":
        return AcademicUserFactory(institution=institution)
    if role == "screener":
        return InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.SCREENER).user
    if role == "manager":
        return FacilityManagerFactory(facility=facility).user
    if role == "manager_of_sibling_facility":
        return FacilityManagerFactory(facility=FacilityFactory(institution=institution)).user
    if role == "manager_elsewhere":
        return FacilityManagerFactory().user
    if role == "institution_admin":
        return InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.ADMIN).user
    if role == "admin_elsewhere":
        return InstitutionRoleFactory(role=InstitutionRoleKind.ADMIN).user
    if role == "platform_admin":
        return UserFactory(is_staff=True)
    raise AssertionError(role)


@pytest.mark.parametrize("role", ROLES)
def test_policy_matrix(role, facility):
    user = make_user(role, facility)
    assert policies.can_view_facility_accounts(user, facility) is (role in MAY_SEE_FACILITY)
    assert policies.can_view_institution_accounts(user, facility.institution) is (role in MAY_SEE_INSTITUTION)
    managers_and_admins = {
        "manager",
        "manager_of_sibling_facility",
        "manager_elsewhere",
        "institution_admin",
        "admin_elsewhere",
        "platform_admin",
    }
    assert policies.can_see_accounting_menu(user) is (role in managers_and_admins)


FACILITY_URLS = [
    ("accounting:facility", {}),
    ("accounting:facility_revenue_csv", {}),
    ("accounting:facility_invoice_basis", {}),
    ("accounting:facility_invoice_basis_csv", {}),
    ("api-v1:accounting-facility-state-aid", {}),
    ("api-v1:accounting-facility-revenue", {}),
    ("api-v1:accounting-facility-invoice-basis", {}),
]
INSTITUTION_URLS = [(name.replace("facility", "institution"), query) for name, query in FACILITY_URLS]


def _status(client, user, url_name, pk):
    if not isinstance(user, AnonymousUser):
        client.force_login(user)
    return client.get(reverse(url_name, args=[pk])).status_code


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api_follow_the_policy(role, facility, client):
    user = make_user(role, facility)
    for url_name, _query in FACILITY_URLS:
        status = _status(client, user, url_name, facility.id)
        if role in MAY_SEE_FACILITY:
            assert status == 200, url_name
        elif role == "anonymous":
            assert status in (302, 401, 403), url_name
        else:
            assert status == 403, url_name
    for url_name, _query in INSTITUTION_URLS:
        status = _status(client, user, url_name, facility.institution.id)
        if role in MAY_SEE_INSTITUTION:
            assert status == 200, url_name
        elif role == "anonymous":
            assert status in (302, 401, 403), url_name
        else:
            assert status == 403, url_name


def test_unknown_facility_is_404(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("accounting:facility", args=[999999])).status_code == 404
    assert client.get(reverse("api-v1:accounting-institution-revenue", args=[999999])).status_code == 404


def test_accounting_index_is_for_managers_and_admins(client, facility):
    client.force_login(AcademicUserFactory())
    assert client.get(reverse("accounting:index")).status_code == 403
    client.force_login(FacilityManagerFactory(facility=facility).user)
    response = client.get(reverse("accounting:index"))
    assert response.status_code == 200 and facility.name in response.content.decode()
