import pytest
from django.core.exceptions import PermissionDenied

from catalogue import services
from catalogue.choices import InstitutionRoleKind
from core.errors import DomainError
from core.policies import OPERATOR
from tests.factories import (
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    ResourceFactory,
    UserFactory,
)


def manager_of(facility):
    return FacilityManagerFactory(facility=facility).user


def test_publish_needs_a_primary_contact(db):
    facility = FacilityFactory(status="draft")
    ContactPersonFactory(facility=facility, is_primary=False)
    with pytest.raises(DomainError) as raised:
        services.facility_publish(facility=facility, actor=manager_of(facility))
    assert raised.value.field == "contacts"
    facility.refresh_from_db()
    assert not facility.is_published


def test_a_new_primary_contact_takes_over(db):
    facility = FacilityFactory()
    first = ContactPersonFactory(facility=facility)
    second = services.contact_create(
        facility=facility, actor=manager_of(facility), name="Ny", email="ny@example.org", is_primary=True
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_the_primary_contact_of_a_published_facility_cannot_vanish(db):
    facility = FacilityFactory()
    primary = ContactPersonFactory(facility=facility)
    manager = manager_of(facility)
    with pytest.raises(DomainError) as raised:
        services.contact_delete(contact=primary, actor=manager)
    assert raised.value.field == "is_primary"
    with pytest.raises(DomainError):
        services.contact_update(contact=primary, actor=manager, is_primary=False)


def test_create_makes_a_unique_slug_and_a_draft(db):
    institution = InstitutionFactory(short_name="UiO", city="Oslo")
    admin = InstitutionRoleFactory(institution=institution, role=InstitutionRoleKind.ADMIN).user
    first = services.facility_create(institution=institution, actor=admin, name="Cellelab", kind="laboratory")
    second = services.facility_create(institution=institution, actor=admin, name="Cellelab", kind="laboratory")
    assert first.slug == "uio-cellelab" and second.slug == "uio-cellelab-2"
    assert first.city == "Oslo" and not first.is_published


def test_unknown_field_is_named(db):
    facility = FacilityFactory()
    with pytest.raises(DomainError) as raised:
        services.facility_update(facility=facility, actor=manager_of(facility), status="published")
    assert raised.value.field == "status"


def test_resource_delete(db):
    resource = ResourceFactory()
    assert services.resource_delete(resource=resource, actor=manager_of(resource.facility)) is True


# Each write checks who makes it, whoever calls it (page, API, command): the facility's manager, the institution's
# admin for its own institution, an operator at the command line; not another facility's manager, a screener, or
# someone without a role.
WRITES = {
    "institution_update": lambda actor, f: services.institution_update(
        institution=f.institution, actor=actor, web_address="https://example.org/ny"
    ),
    "facility_create": lambda actor, f: services.facility_create(
        institution=f.institution, actor=actor, name="Ny lab", kind="laboratory"
    ),
    "facility_update": lambda actor, f: services.facility_update(facility=f, actor=actor, campus="Blindern"),
    "facility_publish": lambda actor, f: services.facility_publish(facility=f, actor=actor),
    "facility_unpublish": lambda actor, f: services.facility_unpublish(facility=f, actor=actor),
    "facility_mark_verified": lambda actor, f: services.facility_mark_verified(facility=f, actor=actor),
    "contact_create": lambda actor, f: services.contact_create(
        facility=f, actor=actor, name="Ny", email="ny@example.org"
    ),
    "contact_update": lambda actor, f: services.contact_update(
        contact=f.contacts.get(is_primary=True), actor=actor, phone="+47 22 85 50 50"
    ),
    "contact_delete": lambda actor, f: services.contact_delete(contact=f.contacts.get(is_primary=False), actor=actor),
    "resource_create": lambda actor, f: services.resource_create(
        facility=f, actor=actor, name="Nytt instrument", kind="instrument"
    ),
    "resource_update": lambda actor, f: services.resource_update(
        resource=f.resources.get(), actor=actor, name="Nytt navn"
    ),
    "resource_delete": lambda actor, f: services.resource_delete(resource=f.resources.get(), actor=actor),
}
# who may make each write: manager, institution admin (of the facility's institution), operator
MANAGES_THE_ENTRY = {"manager", "admin", "operator"}  # an institution admin keeps its facilities too
ALLOWED = {
    "institution_update": {"admin", "operator"},
    "facility_create": {"admin", "operator"},
    **{name: MANAGES_THE_ENTRY for name in WRITES if name not in ("institution_update", "facility_create")},
}


def _actor(who: str, facility):
    if who == "operator":
        return OPERATOR
    if who == "manager":
        return manager_of(facility)
    if who == "admin":
        return InstitutionRoleFactory(institution=facility.institution, role=InstitutionRoleKind.ADMIN).user
    if who == "other_manager":
        return manager_of(FacilityFactory())
    if who == "screener":
        return InstitutionRoleFactory(institution=facility.institution, role=InstitutionRoleKind.SCREENER).user
    return UserFactory()


@pytest.mark.parametrize("who", ["manager", "admin", "operator", "other_manager", "screener", "nobody"])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_each_write_checks_who_makes_it(db, write, who):
    facility = FacilityFactory()
    ContactPersonFactory(facility=facility, is_primary=False)
    ContactPersonFactory(facility=facility, is_primary=True, email="primar@example.org")
    ResourceFactory(facility=facility)
    actor = _actor(who, facility)
    if who in ALLOWED[write]:
        WRITES[write](actor, facility)
    else:
        with pytest.raises(PermissionDenied):
            WRITES[write](actor, facility)
