import pytest

from booking.models import BookingPolicy, Qualification
from catalogue.models import Resource
from catalogue.signals import demo_register_loaded
from tests.factories import AcademicUserFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def test_demo_resources_get_mixed_policies_and_researchers_get_qualifications():
    resources = [ResourceFactory() for _ in range(9)]
    researcher = AcademicUserFactory(email="demo.forsker.uio@example.org")
    for _ in range(2):  # loading twice changes nothing
        demo_register_loaded.send(
            sender=Resource, resources=resources, with_demo_users=True, users={researcher.email: researcher}
        )
    policies = BookingPolicy.objects.filter(resource__in=resources)
    assert policies.count() == 9
    assert policies.filter(requires_approval=True).count() == 3
    assert policies.filter(requires_qualification=True).count() == 3
    assert all(policy.opening_hours.count() == 5 for policy in policies)
    assert Qualification.objects.filter(user=researcher).count() == 3
