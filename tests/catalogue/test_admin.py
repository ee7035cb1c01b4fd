import pytest

from tests.factories import (
    CategoryFactory,
    ContactPersonFactory,
    FacilityManagerFactory,
    InstitutionRoleFactory,
    ResourceFactory,
    UserFactory,
)


@pytest.mark.parametrize(
    "model",
    ["institution", "category", "nationalinfrastructure", "facility", "resource", "institutionrole", "facilitymanager"],
)
def test_platform_admin_sees_every_catalogue_model(db, client, model):
    CategoryFactory()
    ContactPersonFactory()
    ResourceFactory()
    FacilityManagerFactory()
    InstitutionRoleFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"/admin/catalogue/{model}/").status_code == 200
    assert client.get(f"/admin/catalogue/{model}/add/").status_code == 200
