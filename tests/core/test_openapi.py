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
