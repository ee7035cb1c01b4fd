"""The yearly usage report of a facility or resource: its figures, its exports, and who may see it."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from reporting import policies, usage
from tests.factories import PASSWORD, InstitutionRoleFactory, UserFactory
from tests.reporting import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return world.build()


def test_figures_of_the_known_data_set(data):
    report = usage.usage_report(facility=data.alfa_facility, year=world.YEAR)
    categories = {line.key: line for line in report.categories}
    assert (categories["internal"].bookings, categories["internal"].hours) == (1, Decimal("5.00"))
    assert (categories["other_public"].bookings, categories["other_public"].hours) == (1, Decimal("2.00"))
    assert categories["other"].bookings == 0
    sectors = {line.key: line for line in report.sectors}
    assert {key: (line.bookings, line.hours) for key, line in sectors.items()} == {
        "C": (1, Decimal("3.00")),
        "J": (1, Decimal("2.00")),
        "M": (2, Decimal("3.00")),
    }
    assert report.total_bookings == 6 and report.total_hours == Decimal("15.00")
    # The company list is not hidden: it is for the facility's own people.
    assert [(c.name, c.bookings, c.hours, c.revenue) for c in report.companies] == [
        ("C1 AS", 1, Decimal("2.00"), Decimal("2000.00")),
        ("C2 AS", 1, Decimal("3.00"), Decimal("3000.00")),
        ("C3 AS", 1, Decimal("1.00"), Decimal("1000.00")),
        ("C4 AS", 1, Decimal("2.00"), Decimal("2000.00")),
    ]
    economic = dict((label, amount) for label, _count, amount in report.revenue_by_activity)
    assert sum(economic.values()) == Decimal("8000.00")
    # Economic hours against capacity, by accounting's state-aid rule: the companies' 8 h, the confirmed C1 hour,
    # the staff's 5 h and 2 h (booked as economic activity), and the half hour of the New Year's Eve booking that
    # falls in 2026.
    [share] = report.state_aid
    assert share.capacity_hours == Decimal("1000") and share.economic_hours == Decimal("16.50")


def test_one_resource(data):
    report = usage.usage_report(facility=data.alfa_facility, resource=data.alfa_resource, year=world.YEAR)
    assert report.total_bookings == 6 and data.alfa_resource.name in report.title


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("manager", True), ("institution_admin", True), ("other_admin", False), ("company", False), ("staff", True)],
)
def test_who_may_see_the_report(data, who, allowed):
    user = {
        "manager": lambda: data.manager,
        "institution_admin": lambda: InstitutionRoleFactory(institution=data.alfa, role="admin").user,
        "other_admin": lambda: InstitutionRoleFactory(institution=data.beta, role="admin").user,
        "company": lambda: UserFactory(),
        "staff": lambda: UserFactory(is_staff=True),
    }[who]()
    assert policies.can_view_usage_report(user, data.alfa_facility) is allowed
    client = Client()
    client.login(email=user.email, password=PASSWORD)
    response = client.get(f"/statistikk/bruk/fasiliteter/{data.alfa_facility.pk}/", {"year": world.YEAR})
    assert response.status_code == (200 if allowed else 403)


def test_anonymous_is_sent_to_log_in(data):
    response = Client().get(f"/statistikk/bruk/fasiliteter/{data.alfa_facility.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_page_xlsx_and_pdf(data):
    client = Client()
    client.login(email=data.manager.email, password=PASSWORD)
    base = f"/statistikk/bruk/fasiliteter/{data.alfa_facility.pk}/"
    page = client.get(base, {"year": world.YEAR}).content.decode()
    assert "C2 AS" in page
    response = client.get(base + "rapport.xlsx", {"year": world.YEAR})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    companies = workbook.worksheets[3]
    rows = [row for row in companies.iter_rows(min_row=4, values_only=True)]
    assert rows[0][0] == "C1 AS" and rows[0][3] == 1 and Decimal(str(rows[0][5])) == Decimal("2000")
    response = client.get(base + "rapport.pdf", {"year": world.YEAR})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_bad_year_is_a_400_and_a_missing_facility_a_404(data):
    client = Client()
    client.login(email=data.manager.email, password=PASSWORD)
    assert client.get(f"/statistikk/bruk/fasiliteter/{data.alfa_facility.pk}/", {"year": "1800"}).status_code == 400
    assert client.get("/statistikk/bruk/fasiliteter/999999/").status_code == 404
    assert client.get(f"/statistikk/bruk/ressurser/{data.alfa_resource.pk}/", {"year": world.YEAR}).status_code == 200


def test_a_draft_facilitys_report_is_a_404_to_whoever_may_not_see_the_facility(data):
    data.alfa_facility.status = "draft"
    data.alfa_facility.save()
    client = Client()
    client.login(email=UserFactory().email, password=PASSWORD)
    assert client.get(f"/statistikk/bruk/fasiliteter/{data.alfa_facility.pk}/").status_code == 404
    assert client.get(f"/statistikk/bruk/ressurser/{data.alfa_resource.pk}/rapport.xlsx").status_code == 404
    client.login(email=data.manager.email, password=PASSWORD)
    assert client.get(f"/statistikk/bruk/fasiliteter/{data.alfa_facility.pk}/", {"year": world.YEAR}).status_code == 200
