"""The OpenAPI schema is the contract: every error answer is a documented problem, public operations are public."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_error_answer_of_every_operation_is_a_problem(schema):
    for path, method, operation in operations(schema):
        errors = {code: answer for code, answer in operation["responses"].items() if int(code) >= 400}
        assert {"400", "500"} <= errors.keys(), (method, path)
        for code, answer in errors.items():
            assert list(answer["content"]) == [PROBLEM], (method, path, code)
            assert answer["description"], (method, path, code)
            schema_of = answer["content"][PROBLEM]["schema"]
            assert schema_of.get("$ref", "").endswith("/Problem") or schema_of["allOf"][0]["$ref"].endswith("/Problem")


def test_the_problem_schema_has_the_rfc_9457_members_and_per_field_errors(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code", "errors"}
    field_error = schema["components"]["schemas"]["ProblemFieldError"]
    assert set(field_error["properties"]) == {"field", "code", "detail"}


def test_operations_with_a_body_document_413_and_415(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert {"413", "415"} <= operation["responses"].keys(), (method, path)
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def test_the_409_of_a_booking_keeps_its_alternatives(schema):
    conflict = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]["409"]["content"][PROBLEM]["schema"]
    assert "alternatives" in conflict["allOf"][1]["properties"]


@pytest.mark.parametrize(
    ("path", "method", "public"),
    [
        ("/api/v1/facilities/", "get", True),
        ("/api/v1/availability/", "get", True),
        ("/api/v1/resources/{id}/availability/", "get", True),
        ("/api/v1/auth/token/", "post", True),
        ("/api/v1/pricing/tdi-calculator/", "post", True),
        ("/api/v1/bookings/", "get", False),
        ("/api/v1/bookings/", "post", False),
        ("/api/v1/auth/tokens/", "get", False),
    ],
)
def test_public_operations_are_marked_public_and_the_others_not(schema, path, method, public):
    security = schema["paths"][path][method].get("security", [])
    assert (not security or {} in security) is public


def test_page_sizes_and_empty_query_values_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/facilities/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert all(p.get("allowEmptyValue") for p in parameters.values() if p["in"] == "query")


def test_every_id_in_a_path_is_a_whole_number_within_the_database_keys(schema):
    ids = [
        (path, method, parameter["schema"])
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert len(ids) > 50
    for path, method, id_schema in ids:
        assert id_schema == {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}, (method, path)


def _parameter(schema, path, name) -> dict:
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]


@pytest.mark.parametrize(
    ("path", "name", "low", "high"),
    [
        ("/api/v1/accounting/facilities/{id}/revenue/", "year", 2000, 2100),
        ("/api/v1/availability/", "limit", 1, 500),
        ("/api/v1/bookings/", "facility", 1, 2**63 - 1),
    ],
)
def test_limits_the_api_enforces_are_in_the_schema(schema, path, name, low, high):
    documented = _parameter(schema, path, name)
    assert (documented["type"], documented["minimum"], documented["maximum"]) == ("integer", low, high)


@pytest.mark.parametrize(
    ("address", "field"),
    [("/api/v1/availability/?limit=0", "limit"), ("/api/v1/availability/?limit=501", "limit"),
     ("/api/v1/bookings/?facility=0", "facility"), ("/api/v1/bookings/?facility=1.5", "facility"),
     ("/api/v1/pricing/price-lists/?facility=2.7745062746931504e%2B16", "facility")],  # found by the fuzzer
)  # fmt: skip
def test_a_value_beyond_a_documented_limit_is_refused_naming_it(address, field):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.get(address)
    assert response.status_code == 400, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]
