import pytest
from rest_framework.test import APIClient

from catalogue.choices import InstitutionRoleKind, PublicationStatus
from tests.factories import (
    AcademicUserFactory,
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    UserFactory,
)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def world(db):
    """Two institutions, a published and a draft facility at the first, one facility at the second, and a
    person in every role the permission matrix asks about."""
    home = InstitutionFactory(short_name="UiO", slug="uio", name="Universitetet i Oslo")
    other = InstitutionFactory(short_name="NTNU", slug="ntnu", name="NTNU", city="Trondheim")
    published = FacilityFactory(institution=home, name="Publisert fasilitet")
    ContactPersonFactory(facility=published)
    draft = FacilityFactory(institution=home, name="Utkast fasilitet", status=PublicationStatus.DRAFT)
    ContactPersonFactory(facility=draft)
    elsewhere = FacilityFactory(institution=other, name="Fasilitet i Trondheim")
    ContactPersonFactory(facility=elsewhere)
    manager_this = FacilityManagerFactory(facility=published).user
    FacilityManagerFactory(user=manager_this, facility=draft)
    manager_other = FacilityManagerFactory(facility=elsewhere).user
    admin_this = InstitutionRoleFactory(institution=home, role=InstitutionRoleKind.ADMIN).user
    admin_other = InstitutionRoleFactory(institution=other, role=InstitutionRoleKind.ADMIN).user
    return {
        "home": home,
        "other": other,
        "published": published,
        "draft": draft,
        "elsewhere": elsewhere,
        "users": {
            "anonymous": None,
            "company": UserFactory(),
            "academic": AcademicUserFactory(institution=home),
            "manager_this": manager_this,
            "manager_other": manager_other,
            "admin_this": admin_this,
            "admin_other": admin_other,
            "platform_admin": UserFactory(is_staff=True),
        },
    }
