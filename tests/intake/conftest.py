import pytest
from django.core.cache import cache
from django.utils import timezone

from catalogue.choices import InstitutionRoleKind
from intake import services
from tests.factories import (
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _webhooks_to_local_receivers(settings):
    """The webhook tests run their receiver on 127.0.0.1; production refuses private addresses."""
    settings.INTAKE_WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """Two institutions, each with a screener, an admin, a facility and its manager; a platform admin; a company
    user; an outsider; and a cluster client."""

    class World:
        pass

    w = World()
    w.uio = InstitutionFactory(short_name="UiO", slug="uio", name="Universitetet i Oslo")
    w.ntnu = InstitutionFactory(short_name="NTNU", slug="ntnu", name="NTNU")
    w.screener = InstitutionRoleFactory(institution=w.uio, role=InstitutionRoleKind.SCREENER).user
    w.other_screener = InstitutionRoleFactory(institution=w.ntnu, role=InstitutionRoleKind.SCREENER).user
    w.inst_admin = InstitutionRoleFactory(institution=w.uio, role=InstitutionRoleKind.ADMIN).user
    w.facility = FacilityFactory(institution=w.uio, slug="proteomikk", name="Proteomikk")
    w.ntnu_facility = FacilityFactory(institution=w.ntnu, slug="mr-senter", name="MR-senteret")
    w.manager = FacilityManagerFactory(facility=w.facility).user
    w.ntnu_manager = FacilityManagerFactory(facility=w.ntnu_facility).user
    w.platform_admin = UserFactory(is_staff=True, email="admin@labtorget.example")
    w.company = UserFactory(email="kari@biotek.example", company_name="Biotek AS")
    w.outsider = UserFactory(email="outsider@example.org")
    w.client, w.key = services.api_client_create(
        name="Oslo Cancer Cluster", kind="cluster", scopes=["catalogue:read", "intake:read", "intake:write"]
    )
    w.other_client, w.other_key = services.api_client_create(
        name="NTNU TTO", kind="tto", scopes=["intake:read", "intake:write"]
    )
    return w


@pytest.fixture
def quote_resource(world):
    """A resource of world.facility whose cost base gives a full cost of 550.00 NOK an hour (577.50 with the
    minimum margin): what a manager's quoted amount covers."""
    from tests.factories import ResourceFactory
    from tests.pricing.factories import CostBaseFactory

    resource = ResourceFactory(facility=world.facility, name="Massespektrometer")
    CostBaseFactory(resource=resource, year=timezone.localdate().year)
    return resource


def quote_covers(resource, hours=20) -> dict:
    """The keyword arguments of routing_accept saying that a quote covers `hours` hours of `resource`."""
    return {"quote_resource": resource.pk, "quote_unit": "hour", "quote_quantity": hours}


VALID_REQUEST = {
    "company_name": "Biotek AS",
    "org_number": "988 077 917",
    "contact_name": "Kari Nordmann",
    "email": "kari@biotek.example",
    "phone": "+47 900 00 000",
    "sector": "diagnostics",
    "phase": "testing",
    "description": "Vi trenger massespektrometri på 200 blodprøver.",
    "timeframe": "Innen tre måneder",
    "access_model": "service",
    "budget_range": "50k_250k",
    "nda_required": True,
    "consent_to_share": True,
}


@pytest.fixture
def valid_request():
    return dict(VALID_REQUEST)
