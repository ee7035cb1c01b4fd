import pytest

from tests.factories import AcademicUserFactory, FacilityFactory, InstitutionFactory, ResourceFactory, UserFactory


@pytest.fixture
def institution(db):
    return InstitutionFactory(name="Norges teknisk-naturvitenskapelige universitet", short_name="NTNU", slug="ntnu")


@pytest.fixture
def resource(institution):
    return ResourceFactory(facility=FacilityFactory(institution=institution), name="Elkraftlab A")


@pytest.fixture
def company_user(db):
    return UserFactory()


@pytest.fixture
def internal_academic(institution):
    return AcademicUserFactory(institution=institution)


@pytest.fixture
def external_academic(db):
    return AcademicUserFactory()


@pytest.fixture
def unaffiliated_user(db):
    return AcademicUserFactory(institution=None)
