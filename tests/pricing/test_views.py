import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from pricing.models import CostBase, PriceList
from tests.factories import AcademicUserFactory, FacilityManagerFactory, ResourceFactory, UserFactory
from tests.pricing.factories import CollaborationAgreementFactory, CostBaseFactory, hourly_price_list

CALCULATOR_FORM = {
    "area_m2": "20",
    "area_rate_per_m2": "3004",
    "equipment_cost": "2000000",
    "depreciation_years": "10",
    "research_council_funded": "on",
    "service_contracts": "50000",
    "consumables": "30000",
    "other_direct_costs": "9920",
    "capacity_units": "1500",
    "internal_share": "0.35",
    "margin": "0.05",
    "staff-TOTAL_FORMS": "2",
    "staff-INITIAL_FORMS": "0",
    "staff-0-annual_salary": "600000",
    "staff-0-social_cost_rate": "0.25",
    "staff-0-fte": "0.5",
    "staff-0-indirect_rate_per_fte": "200000",
}


def test_calculator_page_shows_the_prices_and_breakdown(client, db):
    response = client.post("/pricing/calculator/", CALCULATOR_FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for figure in ("825,000.00", "550.00", "416.67", "145.83", "577.50", "721.88", "60,080.00"):
        assert figure in html


def test_calculator_page_in_bokmal_writes_norwegian_numbers(client, db):
    html = client.post("/pricing/calculator/", CALCULATOR_FORM).content.decode()
    assert "825\xa0000,00" in html and "721,88" in html


def test_calculator_page_in_english_and_bokmal(client, db):
    html_en = client.get("/pricing/calculator/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "TDI price calculator" in html_en
    client.cookies["django_language"] = "nb"
    html_nb = client.get("/pricing/calculator/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "TDI-priskalkulator" in html_nb


def test_calculator_page_shows_errors_on_the_fields(client, db):
    response = client.post("/pricing/calculator/", {**CALCULATOR_FORM, "capacity_units": "0", "margin": "-1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "margin" in form.errors
    assert response.context["result"] is None


def test_calculator_page_shows_a_too_large_result_on_the_field(client, db):
    response = client.post(
        "/pricing/calculator/",
        {**CALCULATOR_FORM, "capacity_units": "0.0001", "equipment_cost": "999999999999", "depreciation_years": "1"},
    )
    assert response.status_code == 200
    assert "capacity_units" in response.context["form"].errors
    assert response.context["result"] is None


@pytest.fixture
def manager_client(client, resource):
    client.force_login(FacilityManagerFactory(facility=resource.facility).user)
    return client


def test_manager_enters_a_cost_base_and_sees_the_full_cost(manager_client, resource):
    form = {k: v for k, v in CALCULATOR_FORM.items()}
    form["capacity_unit"] = "hour"
    response = manager_client.post(
        f"/pricing/resources/{resource.pk}/cost-base/?year=2026", form, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    cost_base = CostBase.objects.get(resource=resource, year=2026)
    assert cost_base.staff_lines.count() == 1
    html = response.content.decode()
    assert "825,000.00" in html and "550.00" in html


def test_economic_price_below_full_cost_is_shown_as_a_form_error(manager_client, resource):
    CostBaseFactory(resource=resource, year=2026)
    response = manager_client.post(
        f"/pricing/resources/{resource.pk}/price-lists/",
        {
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "external_economic__hour": "500",
            "internal__hour": "50",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["external_economic__hour"]
    assert "state aid" in errors[0] or "statsstøtte" in errors[0]
    # full cost 550.00 NOK/h plus the 5 % minimum margin; Norwegian decimal comma on a Bokmål page
    assert "(kr\xa0500,00)" in errors[0] and "kr\xa0577,50" in errors[0]
    assert not PriceList.objects.exists()


def test_manager_saves_and_edits_a_price_list(manager_client, resource):
    CostBaseFactory(resource=resource, year=2026)
    response = manager_client.post(
        f"/pricing/resources/{resource.pk}/price-lists/",
        {
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "external_economic__hour": "600",
            "internal__hour": "50",
        },
    )
    assert response.status_code == 302
    price_list = PriceList.objects.get()
    assert {(i.tier, i.unit, i.price) for i in price_list.items.all()} == {
        ("external_economic", "hour", Decimal("600.00")),
        ("internal", "hour", Decimal("50.00")),
    }
    response = manager_client.post(
        f"/pricing/price-lists/{price_list.pk}/",
        {"valid_from": "2026-01-01", "valid_to": "2026-12-31", "external_economic__hour": "650"},
    )
    assert response.status_code == 302
    assert list(price_list.items.values_list("price", flat=True)) == [Decimal("650.00")]


def render_panels(slot, obj, user=None):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = user or AnonymousUser()
    template = Template("{% load labtorget %}{% render_panels slot obj %}")
    return template.render(Context({"request": request, "slot": slot, "obj": obj}))


def test_facility_page_shows_public_prices_excl_and_incl_vat(resource, django_assert_max_num_queries):
    today = timezone.localdate()
    hourly_price_list(resource, valid_from=today, valid_to=None, internal="40", non_economic="110", economic="140")
    for _ in range(3):
        other = ResourceFactory(facility=resource.facility)
        hourly_price_list(other, valid_from=today, valid_to=None, internal="1", non_economic="2", economic="3")
    # Resources, price lists, their items, cost bases and their staff lines; the last is the demo-data check.
    with django_assert_max_num_queries(6):
        html = render_panels("facility_details", resource.facility)
    assert "140,00" in html and "175,00" in html and "110,00" in html
    assert resource.name in html


def test_facility_page_shows_customers_how_the_price_is_made(resource, django_assert_max_num_queries):
    today = timezone.localdate()
    hourly_price_list(resource, valid_from=today, valid_to=None, internal="200", non_economic="420", economic="600")
    CostBaseFactory(resource=resource, year=today.year - 1)  # the worked example: 825 000 NOK over 1 500 hours
    for _ in range(3):
        other = ResourceFactory(facility=resource.facility)
        hourly_price_list(other, valid_from=today, valid_to=None, internal="1", non_economic="2", economic="3")
        CostBaseFactory(resource=other, year=today.year)
    with django_assert_max_num_queries(7), translation.override("nb"):
        html = render_panels("facility_details", resource.facility)
    assert html.count('<details class="cost-breakdown">') == 4
    assert f"Slik blir prisen til (TDI-fullkostmodellen, kostnadsgrunnlag {today.year - 1})" in html
    assert "825\xa0000,00" in html and "550,00" in html


def test_facility_page_without_prices_shows_no_panel(resource):
    assert "prices-heading" not in render_panels("facility_details", resource.facility)


def test_manage_panel_links_managers_to_cost_base_and_price_lists(resource):
    manager = FacilityManagerFactory(facility=resource.facility).user
    html = render_panels("facility_manage", resource.facility, user=manager)
    assert f"/pricing/resources/{resource.pk}/cost-base/" in html
    assert render_panels("facility_manage", resource.facility) == ""


def test_year_boundary_price_lists_do_not_clash(manager_client, resource):
    CostBaseFactory(resource=resource, year=2026)
    for year, price in ((2026, "600"), (2027, "620")):
        response = manager_client.post(
            f"/pricing/resources/{resource.pk}/price-lists/",
            {"valid_from": f"{year}-01-01", "valid_to": f"{year}-12-31", "external_economic__hour": price},
        )
        assert response.status_code == 302
    response = manager_client.post(
        f"/pricing/resources/{resource.pk}/price-lists/",
        {"valid_from": "2026-06-01", "external_economic__hour": "700"},
    )
    assert "valid_from" in response.context["form"].errors
    assert PriceList.objects.filter(valid_from=datetime.date(2027, 1, 1)).exists()


def test_price_list_page_shows_the_full_cost_floor(manager_client, resource):
    CostBaseFactory(resource=resource, year=timezone.localdate().year)
    html = manager_client.get(f"/pricing/resources/{resource.pk}/price-lists/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Full-cost price from the" in html.content.decode()
    assert "NOK\xa0550.00 per unit (hours)" in html.content.decode()


@pytest.mark.parametrize(
    "who, yours",
    [
        ("company", {"Ekstern, økonomisk"}),
        ("company_in_a_collaboration", {"Ekstern, økonomisk", "Ekstern, ikke-økonomisk"}),
        ("academic_here", {"Intern"}),
        ("academic_elsewhere", {"Ekstern, økonomisk"}),
        ("anonymous", set()),
    ],
)
def test_facility_page_marks_the_signed_in_users_prices(resource, who, yours, django_assert_max_num_queries):
    hourly_price_list(
        resource, valid_from=timezone.localdate(), valid_to=None, internal="40", non_economic="110", economic="140"
    )
    user = {
        "company": lambda: UserFactory(),
        "company_in_a_collaboration": lambda: CollaborationAgreementFactory(
            facility=resource.facility, participants=[UserFactory()]
        ).participants.get(),
        "academic_elsewhere": lambda: AcademicUserFactory(),
        "academic_here": lambda: AcademicUserFactory(institution=resource.facility.institution),
        "anonymous": lambda: None,
    }[who]()
    # The price panel's five queries, one for the verified affiliation and one for the person's collaboration
    # agreements; other apps' panels ask four more about a signed-in user's roles.
    with django_assert_max_num_queries(13), translation.override("nb"):
        html = render_panels("facility_details", resource.facility, user=user)
    marked = set(re.findall(r'<tr class="yours"><td>([^<]+) <span class="badge">din pris</span>', html))
    assert marked == yours
    assert ("Dine priser her:" in html) == bool(yours)


def test_a_cost_base_the_calculator_refuses_does_not_break_the_pages(client, manager_client, resource):
    hourly_price_list(
        resource, valid_from=timezone.localdate(), valid_to=None, internal="40", non_economic="110", economic="140"
    )
    # Saved past the service (as the admin can): equipment with a cost but no depreciation years.
    CostBaseFactory(resource=resource, year=timezone.localdate().year, depreciation_years=Decimal(0))
    assert client.get(f"/facilities/{resource.facility.slug}/").status_code == 200
    assert manager_client.get(f"/pricing/resources/{resource.pk}/price-lists/").status_code == 200
    assert manager_client.get(f"/pricing/resources/{resource.pk}/cost-base/").status_code == 200


def test_a_manager_saves_the_calculator_as_a_cost_base_in_one_step(manager_client, resource):
    """One submit calculates and stores the figures as the resource's cost base for the year chosen."""
    page = manager_client.get("/pricing/calculator/").content.decode()
    assert "Lagre som kostnadsgrunnlag" in page and resource.name in page
    year = timezone.localdate().year + 1
    response = manager_client.post(
        "/pricing/calculator/",
        {**CALCULATOR_FORM, "save": "1", "save-resource": resource.pk, "save-year": year, "save-capacity_unit": "hour"},
    )
    assert (
        response.status_code == 302
        and response["Location"] == f"/pricing/resources/{resource.pk}/cost-base/?year={year}"
    )
    cost_base = CostBase.objects.get(resource=resource, year=year)
    assert cost_base.capacity_units == Decimal(1500) and cost_base.staff_lines.count() == 1
    after = manager_client.get(response["Location"]).content.decode()
    assert f"Tallene er lagret som kostnadsgrunnlaget for {year}" in after and f"– {year}</h1>" in after
    assert "577,50" in after  # the external economic price the calculator gave


@pytest.mark.parametrize("who", ["anonymous", "manager elsewhere"])
def test_only_a_resources_manager_can_save_the_calculator_to_it(client, resource, who):
    if who == "manager elsewhere":
        elsewhere = FacilityManagerFactory()
        ResourceFactory(facility=elsewhere.facility)  # so that the page offers to save, to that resource only
        client.force_login(elsewhere.user)
    response = client.post(
        "/pricing/calculator/",
        {**CALCULATOR_FORM, "save": "1", "save-resource": resource.pk, "save-year": 2027, "save-capacity_unit": "hour"},
    )
    assert response.status_code == 200  # the result is shown, nothing saved
    assert not CostBase.objects.filter(resource=resource).exists()
    if who == "manager elsewhere":
        assert response.context["save_form"].errors["resource"]  # not one of theirs: "choose a valid option"


def test_the_price_list_form_shows_the_floor_of_the_year_it_is_for(manager_client, resource):
    this_year = timezone.localdate().year
    CostBaseFactory(resource=resource, year=this_year)
    CostBaseFactory(resource=resource, year=this_year + 1, capacity_units=Decimal(750))  # twice the full cost
    response = manager_client.post(
        f"/pricing/resources/{resource.pk}/price-lists/",
        {"valid_from": f"{this_year + 1}-01-01", "external_economic__hour": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert f"Full-cost price from the {this_year + 1} cost base" in html
    assert "below full cost" in html or "is below" in html
