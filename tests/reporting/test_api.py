"""GET /api/v1/statistics/institutions/: public, the published figures, hidden ones null, bad input a 400
problem naming the parameter."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from reporting import selectors
from tests.reporting import world

pytestmark = pytest.mark.django_db
URL = "/api/v1/statistics/institutions/"


@pytest.fixture
def data():
    built = world.build()
    world.rebuild()
    return built


def test_public_list_in_ranking_order_with_hidden_figures_null(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = APIClient().get(URL, {"year": world.YEAR, "quarter": 1})
    assert response.status_code == 200
    assert 'rel="license"' in response["Link"]
    body = response.json()
    assert [row["institution"] for row in body] == ["alfa", "beta", "gamma"]
    alfa = body[0]
    assert alfa["rank"] == 1
    assert alfa["industry_bookings"] == 4
    assert Decimal(alfa["industry_hours"]) == Decimal("8")
    assert Decimal(alfa["industry_share_of_capacity"]) == Decimal("0.032")
    assert alfa["industry_requests"] == 4
    assert Decimal(alfa["answered_within_deadline_share"]) == Decimal("0.5")
    assert alfa["distinct_companies"] == 4
    assert alfa["name"] == "Alfa-universitetet" and alfa["region"] == "west" and alfa["quarter"] == 1
    for hidden in body[1:]:
        assert hidden["distinct_companies"] is None and hidden["industry_hours"] is None and hidden["rank"] is None
        assert hidden["industry_revenue_rental"] is None


def test_the_whole_year_when_no_quarter(data):
    body = APIClient().get(URL, {"year": world.YEAR}).json()
    assert body[0]["quarter"] is None and body[0]["industry_bookings"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "1999"}, "year"),
        ({"year": "3000"}, "year"),
        ({"year": "twenty"}, "year"),
        ({"year": "2026", "quarter": "5"}, "quarter"),
        ({"year": "2026", "quarter": "0"}, "quarter"),
        ({"year": "2026", "quarter": "Q1"}, "quarter"),
    ],
)
def test_bad_input_is_a_problem_naming_the_parameter(db, query, field):
    response = APIClient().get(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == field


def test_documented_in_the_schema(db):
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in operation["parameters"]}
    assert parameters["quarter"]["minimum"] == 1 and parameters["quarter"]["maximum"] == 4
    assert parameters["year"]["minimum"] == 2000 and parameters["year"]["maximum"] == selectors.last_year()
    assert "400" in operation["responses"]
    properties = schema["components"]["schemas"]["InstitutionStatistics"]["properties"]
    for name in ("institution", "name", "industry_bookings", "industry_hours", "industry_share_of_capacity",
                 "industry_requests", "answered_within_deadline_share", "distinct_companies", "rank"):  # fmt: skip
        assert name in properties
    assert properties["distinct_companies"]["nullable"] is True
