"""Shared API plumbing: the API answers in JSON unless a browser asks for HTML, and booking input is refused with
messages that name the field, in each request's language."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_api_answers_json_without_an_accept_header_and_html_to_a_browser(client):
    assert client.get("/api/v1/facilities/")["Content-Type"] == "application/json"
    assert client.get("/api/v1/facilities/", HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/api/v1/facilities/?format=json", HTTP_ACCEPT=browser)["Content-Type"] == "application/json"


def _valid_booking(**changes) -> dict:
    data = {
        "resource": 7, "start": "2027-03-01T10:00:00+01:00", "end": "2027-03-01T11:00:00+01:00",
        "activity": "economic", "access_model": "rental",
    }  # fmt: skip
    return {**data, **changes}


def _refused(client, language: str, body: dict) -> dict:
    response = client.post("/api/v1/bookings/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400, response.content
    return response.json()


@pytest.fixture
def api_client():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def test_booking_input_is_refused_field_by_field(api_client):
    errors = _refused(api_client, "en", _valid_booking(resource="x", start="2027-03-01T10:00:00"))
    problem_members = {"type", "title", "status", "detail", "code", "errors"}
    assert set(errors) == problem_members | {"resource", "start"}  # detail and code: the first rule broken
    assert {error["field"] for error in errors["errors"]} == {"resource", "start"}
    assert errors["start"] == ["Give the time with a UTC offset, for example 2027-01-04T10:00:00+01:00."]
    assert errors["code"] == "naive_time"
    everything = problem_members | {"resource", "start", "end", "activity", "access_model"}
    assert set(_refused(api_client, "en", {})) == everything


@pytest.mark.parametrize("first", ["nb", "en"])
def test_length_and_range_messages_speak_each_requests_language(api_client, first):
    body = _valid_booking(purpose="a" * 2001, repeat="weekly", count=500)
    answers = {}
    for language in (first, "nb" if first == "en" else "en", first):
        errors = _refused(api_client, language, body)
        answers.setdefault(language, set()).add((errors["purpose"][0], errors["count"][0]))
    assert len(answers["nb"]) == len(answers["en"]) == 1
    (purpose_nb, count_nb), (purpose_en, count_en) = answers["nb"].pop(), answers["en"].pop()
    assert purpose_en == "Ensure this field has no more than 2000 characters."
    assert count_en == "Ensure this value is less than or equal to 200."
    assert purpose_nb != purpose_en and "2000" in purpose_nb and count_nb != count_en and "200" in count_nb
