"""Every error under /api/ is an RFC 9457 problem, and no input gives a 5xx.

The five inputs that gave a 500 before (issue 18) are regression tests here: a UTC offset beyond ±15:59 in a time
filter, JSON nested thousands of levels deep, a NUL in a lookup or filter, a lone surrogate in a choice field and a
NUL in a booking with an Idempotency-Key. They are refused as 400 (or 413) problems naming the input.
"""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from booking.models import Booking, IdempotencyRecord
from tests.booking.conftest import days_ahead
from tests.booking.factories import BookingPolicyFactory
from tests.factories import FacilityFactory, UserFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
MEMBERS = {"type", "title", "status", "detail", "code", "errors"}


@pytest.fixture
def anonymous():
    return APIClient(raise_request_exception=False)


@pytest.fixture
def person():
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory(company_name="Biotek AS", org_number="988077917"))
    return client


def problem_of(response, status: int) -> dict:
    """The problem body of an answer, after checking that it is one with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM, response.content
    body = json.loads(response.content)
    assert MEMBERS <= body.keys()
    assert body["status"] == status and body["type"].startswith("urn:labtorget:problem:")
    assert isinstance(body["errors"], list)
    return body


def fields_of(body: dict) -> set:
    return {error["field"] for error in body["errors"]}


def raw_post(client, url: str, text: str, **headers):
    return client.generic("POST", url, text.encode("utf-8"), content_type="application/json", **headers)


def booking_body(resource, **changes) -> dict:
    return {
        "resource": resource.pk,
        "start": days_ahead(3, 10).isoformat(),
        "end": days_ahead(3, 12).isoformat(),
        "activity": "economic",
        "access_model": "rental",
        **changes,
    }


# --- the five 500s of issue 18 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/bookings/?starts_before=2027-01-01T10:00:00%2B23:00", "starts_before"),
        ("/api/v1/bookings/?starts_after=2027-01-01T10:00:00-16:00", "starts_after"),
        ("/api/v1/availability/?start=2027-01-01T10:00%2B20:00", "start"),
        ("/api/v1/availability/?start=2027-01-01T10:00 23:00", "start"),  # a "+" that became a space
    ],
)
def test_a_utc_offset_beyond_15_59_in_a_time_filter_is_a_400_naming_it(person, url, field):
    body = problem_of(person.get(url), 400)
    assert body["code"] == "invalid_offset" and fields_of(body) == {field}


def test_an_offset_within_15_59_is_taken(person):
    assert person.get("/api/v1/bookings/?starts_before=2027-01-01T10:00:00%2B14:00").status_code == 200


@pytest.mark.parametrize("depth", [33, 5000])
def test_json_nested_too_deep_is_a_413_also_for_the_anonymous_token_endpoint(anonymous, depth):
    text = "[" * depth + "]" * depth
    body = problem_of(raw_post(anonymous, "/api/v1/auth/token/", text), 413)
    assert body["code"] == "body_too_deep" and "32" in body["detail"]


def test_json_within_the_depth_limit_is_read(anonymous):
    nested = {"email": "nobody@example.org", "password": "x", "name": "a"}
    response = raw_post(anonymous, "/api/v1/auth/token/", json.dumps(nested))
    assert problem_of(response, 400)["code"] == "authentication_failed"  # read, then refused for what it says


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/facilities/?institution=ab%00c", "institution"),
        ("/api/v1/resources/?q=%00", "q"),
        ("/api/v1/facilities/?x%00y=1", "x\ufffdy"),  # even in a parameter's name, and never echoed as it is
        ("/api/v1/bookings/?status=%00", "status"),
    ],
)
def test_a_nul_in_a_filter_is_a_400_naming_it(person, url, field):
    body = problem_of(person.get(url), 400)
    assert body["code"] == "null_character" and fields_of(body) == {field}


def test_a_nul_in_a_path_lookup_is_refused_not_looked_up(person):
    response = person.get("/api/v1/facilities/ab%00c/")
    assert response.status_code in (400, 404)
    problem_of(response, response.status_code)


def test_a_lone_surrogate_in_a_choice_field_is_a_400_that_does_not_echo_it(person):
    resource = BookingPolicyFactory().resource
    text = json.dumps(booking_body(resource, activity="PLACEHOLDER")).replace("PLACEHOLDER", "\\ud800x")
    response = raw_post(person, "/api/v1/bookings/", text)
    body = problem_of(response, 400)
    assert body["code"] == "invalid_unicode" and fields_of(body) == {"activity"}
    response.content.decode("utf-8")  # the answer itself is valid UTF-8
    assert not Booking.objects.exists()


@pytest.mark.parametrize("where", ["purpose", "activity", "key"])
def test_a_nul_in_a_booking_with_an_idempotency_key_is_a_400_each_time_and_nothing_is_stored(person, where):
    resource = BookingPolicyFactory().resource
    data = booking_body(resource, purpose="a\x00b") if where == "purpose" else booking_body(resource)
    if where == "activity":
        data["activity"] = "economic\x00"
    if where == "key":
        data["nested\x00key"] = 1
    for _attempt in range(2):  # refused at the edge, before the key is looked up or stored
        response = person.post("/api/v1/bookings/", data, format="json", HTTP_IDEMPOTENCY_KEY="nul-test")
        body = problem_of(response, 400)
        assert body["code"] == "null_character" and "\x00" not in response.content.decode()
    assert not Booking.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_nul_in_a_header_is_a_400_naming_it(person):
    body = problem_of(person.get("/api/v1/bookings/", HTTP_IDEMPOTENCY_KEY="a\x00b"), 400)
    assert fields_of(body) == {"Idempotency-Key"}


# --- limits -------------------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_problem_with_the_limit(anonymous):
    text = json.dumps({"email": "x" * 2_000_000})
    body = problem_of(raw_post(anonymous, "/api/v1/auth/token/", text), 413)
    assert body["code"] == "body_too_large" and body["limit"] == 1024 * 1024


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10)
def test_django_s_own_body_limit_is_a_413_problem_too(person):
    resource = BookingPolicyFactory().resource
    body = problem_of(person.post("/api/v1/bookings/", booking_body(resource), format="json"), 413)
    assert body["code"] == "body_too_large"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e999"])
def test_numbers_json_does_not_have_are_refused(person, number):
    text = f'{{"resource": 1, "count": {number}}}'
    assert problem_of(raw_post(person, "/api/v1/bookings/", text), 400)["code"] in ("parse_error", "invalid")


def test_an_id_out_of_range_is_a_404_or_a_400_never_a_500(person):
    assert person.get("/api/v1/bookings/99999999999999999999999/").status_code == 404
    assert person.get("/api/v1/facilities/99999999999999999999999/").status_code in (400, 404)
    assert person.get("/api/v1/resources/?facility=99999999999999999999999").status_code in (200, 400)


# --- one format for every error -----------------------------------------------------------------------------------


def test_validation_errors_name_each_field_with_its_code_and_keep_the_old_field_members(person):
    body = problem_of(person.post("/api/v1/bookings/", {"resource": "x"}, format="json"), 400)
    assert {"resource", "start", "end", "access_model"} <= fields_of(body)
    assert {error["code"] for error in body["errors"] if error["field"] == "start"} == {"required"}
    assert body["start"] == [next(e["detail"] for e in body["errors"] if e["field"] == "start")]
    assert body["detail"] and body["code"]


def test_a_taken_slot_is_a_409_problem_with_alternatives(person):
    resource = BookingPolicyFactory().resource
    assert person.post("/api/v1/bookings/", booking_body(resource), format="json").status_code == 201
    body = problem_of(person.post("/api/v1/bookings/", booking_body(resource), format="json"), 409)
    assert body["code"] == "slot_taken" and isinstance(body["alternatives"], list)


def test_a_series_where_nothing_could_be_booked_is_a_409_with_a_code(person):
    resource = BookingPolicyFactory().resource
    assert person.post("/api/v1/bookings/", booking_body(resource), format="json").status_code == 201
    series = booking_body(resource, repeat="weekly", count=1, mode="skip_conflicts")
    body = problem_of(person.post("/api/v1/bookings/", series, format="json"), 409)
    assert body["code"] == "series_not_booked" and body["skipped"][0]["code"] == "slot_taken"


def test_a_series_ending_before_it_starts_names_until(person):
    resource = BookingPolicyFactory().resource
    series = booking_body(resource, repeat="weekly", until=days_ahead(1).date().isoformat())
    body = problem_of(person.post("/api/v1/bookings/", series, format="json"), 400)
    assert body["code"] == "until_before_start" and fields_of(body) == {"until"}


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing/", 404, "not_found"),  # Django's own 404
        ("get", "/api/v1/bookings/abc/", 404, "not_found"),  # a non-numeric id
        ("get", "/api/v1/bookings/", 401, "not_authenticated"),
        ("put", "/api/v1/facilities/", 405, "method_not_allowed"),
    ],
)
def test_every_refusal_is_a_problem(anonymous, method, url, status, code):
    body = problem_of(getattr(anonymous, method)(url), status)
    assert body["code"] == code


def test_a_405_keeps_its_allow_header(anonymous):
    response = anonymous.put("/api/v1/facilities/")
    problem_of(response, 405)
    assert "GET" in response["Allow"]


def test_a_form_body_is_a_415_problem(person):
    response = person.post("/api/v1/bookings/", "a=b", content_type="application/x-www-form-urlencoded")
    assert problem_of(response, 415)["code"] == "unsupported_media_type"


def test_a_wrong_token_is_a_401_problem_even_on_a_public_list(anonymous):
    body = problem_of(anonymous.get("/api/v1/facilities/", HTTP_AUTHORIZATION="Token wrong"), 401)
    assert body["code"] == "authentication_failed"


def test_a_browser_gets_a_problem_too_not_the_browsable_api(person):
    body = problem_of(person.get("/api/v1/bookings/999999/", HTTP_ACCEPT="text/html"), 404)
    assert body["code"] == "not_found"


def test_an_unexpected_error_is_a_500_problem_without_details(person, monkeypatch):
    from booking import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "visible_bookings", broken)
    response = person.get("/api/v1/bookings/")
    body = problem_of(response, 500)
    assert body["code"] == "server_error" and "secret" not in response.content.decode()


def test_problems_speak_the_request_s_language(anonymous):
    english = problem_of(anonymous.get("/api/v1/bookings/", HTTP_ACCEPT_LANGUAGE="en"), 401)
    norwegian = problem_of(anonymous.get("/api/v1/bookings/", HTTP_ACCEPT_LANGUAGE="nb"), 401)
    assert english["title"] == "Authentication is needed" and norwegian["title"] != english["title"]
    assert english["code"] == norwegian["code"] and english["type"] == norwegian["type"]


def test_a_page_outside_the_api_keeps_django_s_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_facilities_still_answer_normally(anonymous):
    FacilityFactory()
    response = anonymous.get("/api/v1/facilities/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("value", "status"), [("true", 200), ("false", 200), ("", 200), ("abc", 400), ("null", 400)])
def test_a_yes_no_filter_takes_true_false_or_nothing(person, value, status):
    response = person.get(f"/api/v1/bookings/?mine={value}")
    assert response.status_code == status
    if status == 400:
        assert fields_of(problem_of(response, 400)) == {"mine"}


@pytest.mark.parametrize(("size", "status"), [("10", 200), ("", 200), ("0", 400), ("201", 400), ("null", 400)])
def test_a_page_size_outside_1_to_200_is_refused_not_changed(anonymous, size, status):
    response = anonymous.get(f"/api/v1/facilities/?page_size={size}")
    assert response.status_code == status
    if status == 400:
        body = problem_of(response, 400)
        assert body["code"] == "invalid_page_size" and fields_of(body) == {"page_size"}


@pytest.mark.parametrize(
    ("url", "field"), [("/api/v1/facilities/", "open_to_industry"), ("/api/v1/resources/", "bookable")]
)
def test_the_register_s_yes_no_filters_are_strict_too(anonymous, url, field):
    assert anonymous.get(f"{url}?{field}=true").status_code == 200
    assert fields_of(problem_of(anonymous.get(f"{url}?{field}=-58800"), 400)) == {field}
