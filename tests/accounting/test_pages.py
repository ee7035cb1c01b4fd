"""The state-aid panels as they render on the facility manager's page and the dashboard, the menu entry, and
query counts of the pages and API that list resources."""

from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounting import selectors
from catalogue.choices import InstitutionRoleKind
from core.navigation import nav_items_for
from pricing import selectors as pricing_selectors
from tests.accounting.helpers import non_economic
from tests.booking.factories import BookingFactory
from tests.factories import AcademicUserFactory, FacilityManagerFactory, InstitutionRoleFactory, ResourceFactory
from tests.helpers import oslo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def year_2026(monkeypatch):
    """The panels show the current year; pin it to 2026 where the bookings are. The panels and the menu entry are
    the ones AccountingConfig.ready() registered."""
    monkeypatch.setattr(selectors, "current_year", lambda: 2026)


@pytest.fixture
def alerting_facility(monkeypatch):
    manager = FacilityManagerFactory()
    busy = ResourceFactory(facility=manager.facility, name="Syklotron")
    unknown = ResourceFactory(facility=manager.facility, name="Kryo-EM")
    monkeypatch.setattr(
        pricing_selectors,
        "annual_capacity_hours_for_resources",
        lambda *, resources, year: {r.id: Decimal("100") if r.id == busy.id else None for r in resources},
    )
    BookingFactory(charged=True, resource=busy, start=oslo(2026, 2, 2, 9), hours=25)
    BookingFactory(charged=True, resource=unknown, start=oslo(2026, 2, 3, 9), hours=3)
    return manager


def render(slot, user, obj=None):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load labtorget %}{% render_panels slot obj %}")
    return template.render(Context({"request": request, "slot": slot, "obj": obj}))


def test_facility_manage_panel_shows_a_clear_alert(alerting_facility):
    with translation.override("en"):
        html = render("facility_manage", alerting_facility.user, alerting_facility.facility)
    assert 'role="alert"' in html
    assert "Syklotron" in html and "25.0 %" in html
    assert "capacity unknown" in html
    with translation.override("nb"):
        html = render("facility_manage", alerting_facility.user, alerting_facility.facility)
    assert "statsstøtte" in html and "kapasitet ukjent" in html and "25,0 %" in html


def test_facility_manage_panel_is_empty_for_others(alerting_facility):
    assert render("facility_manage", AcademicUserFactory(), alerting_facility.facility).strip() == ""


def test_dashboard_panel_for_the_institution_admin(alerting_facility):
    admin = InstitutionRoleFactory(institution=alerting_facility.facility.institution, role=InstitutionRoleKind.ADMIN)
    with translation.override("en"):
        html = render("dashboard", admin.user)
    assert "Syklotron" in html and 'role="alert"' in html
    assert "Kryo-EM" not in html  # only resources past the warning line


def test_menu_entry_only_for_managers_and_admins(alerting_facility):
    with translation.override("nb"):
        assert "Regnskap" in [str(item["label"]) for item in nav_items_for(alerting_facility.user)]
    assert all(str(item["label"]) not in ("Accounting", "Regnskap") for item in nav_items_for(AcademicUserFactory()))


def _many_resources(facility, count):
    for n in range(count):
        resource = ResourceFactory(facility=facility)
        BookingFactory(charged=True, resource=resource, start=oslo(2026, 3, 1 + n % 27, 9))
        BookingFactory(charged=True, resource=resource, start=oslo(2026, 4, 1 + n % 27, 9), **non_economic())


@pytest.mark.parametrize(
    "url_name",
    [
        "accounting:facility",
        "accounting:facility_invoice_basis",
        "api-v1:accounting-facility-state-aid",
        "api-v1:accounting-facility-invoice-basis",
    ],
)
def test_query_count_does_not_grow_with_resources_or_bookings(client, url_name, django_assert_max_num_queries):
    manager = FacilityManagerFactory()
    client.force_login(manager.user)
    url = reverse(url_name, args=[manager.facility.id])
    query = {"year": 2026} if "invoice" not in url_name else {"from": "2026-03-01", "to": "2026-04-30"}
    _many_resources(manager.facility, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    _many_resources(manager.facility, 20)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url, query).status_code == 200
