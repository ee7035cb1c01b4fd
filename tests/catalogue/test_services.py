import pytest

from catalogue import services
from core.errors import DomainError
from tests.factories import ContactPersonFactory, FacilityFactory, InstitutionFactory, ResourceFactory


def test_publish_needs_a_primary_contact(db):
    facility = FacilityFactory(status="draft")
    ContactPersonFactory(facility=facility, is_primary=False)
    with pytest.raises(DomainError) as raised:
        services.facility_publish(facility=facility)
    assert raised.value.field == "contacts"
    facility.refresh_from_db()
    assert not facility.is_published


def test_a_new_primary_contact_takes_over(db):
    facility = FacilityFactory()
    first = ContactPersonFactory(facility=facility)
    second = services.contact_create(facility=facility, name="Ny", email="ny@example.org", is_primary=True)
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_the_primary_contact_of_a_published_facility_cannot_vanish(db):
    facility = FacilityFactory()
    primary = ContactPersonFactory(facility=facility)
    with pytest.raises(DomainError) as raised:
        services.contact_delete(contact=primary)
    assert raised.value.field == "is_primary"
    with pytest.raises(DomainError):
        services.contact_update(contact=primary, is_primary=False)


def test_create_makes_a_unique_slug_and_a_draft(db):
    institution = InstitutionFactory(short_name="UiO", city="Oslo")
    first = services.facility_create(institution=institution, name="Cellelab", kind="laboratory")
    second = services.facility_create(institution=institution, name="Cellelab", kind="laboratory")
    assert first.slug == "uio-cellelab" and second.slug == "uio-cellelab-2"
    assert first.city == "Oslo" and not first.is_published


def test_unknown_field_is_named(db):
    with pytest.raises(DomainError) as raised:
        services.facility_update(facility=FacilityFactory(), status="published")
    assert raised.value.field == "status"


def test_resource_delete(db):
    resource = ResourceFactory()
    assert services.resource_delete(resource=resource) is True
