"""Shared API plumbing (core.api) that replaces parts of DRF on every request: it must answer as DRF does."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from rest_framework import serializers
from rest_framework.fields import CurrentUserDefault
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from booking.api.serializers import BookingCreateSerializer, OneBookingSerializer
from core.api import SharedFieldsSerializer
from core.negotiation import ContentNegotiation


class _CsvRenderer(JSONRenderer):
    media_type = "text/csv"
    format = "csv"


ACCEPT_HEADERS = [
    None, "*/*", "application/json", "text/html", "text/html,application/xhtml+xml,*/*;q=0.8",
    "application/json; indent=4", "application/*", "text/csv", "application/json;q=0.5, text/html",
]  # fmt: skip


@pytest.mark.parametrize("renderers", [[JSONRenderer, BrowsableAPIRenderer], [BrowsableAPIRenderer, JSONRenderer],
                                       [_CsvRenderer, JSONRenderer]])  # fmt: skip
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=csv"])
@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
def test_content_negotiation_picks_what_drf_picks(accept, query, renderers):
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    request = Request(APIRequestFactory().get(f"/api/v1/bookings/{query}", **headers))
    instances = [renderer() for renderer in renderers]

    def choose(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(request, instances)
        except Exception as error:  # noqa: BLE001 - the same refusal is part of the answer
            return type(error).__name__
        return type(renderer).__name__, media_type

    assert choose(ContentNegotiation()) == choose(DefaultContentNegotiation())


@pytest.mark.django_db
def test_the_api_answers_json_without_an_accept_header_and_html_to_a_browser(client):
    assert client.get("/api/v1/facilities/")["Content-Type"] == "application/json"
    assert client.get("/api/v1/facilities/", HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")


def _valid_booking(**changes) -> dict:
    data = {
        "resource": 7, "start": "2027-03-01T10:00:00+01:00", "end": "2027-03-01T11:00:00+01:00",
        "activity": "economic", "access_model": "rental",
    }  # fmt: skip
    return {**data, **changes}


def test_shared_fields_keep_nothing_from_one_request_to_the_next():
    refused = OneBookingSerializer(data=_valid_booking(resource="x", start="2027-03-01T10:00:00"))
    assert not refused.is_valid()
    assert set(refused.errors) == {"resource", "start"}
    accepted = OneBookingSerializer(data=_valid_booking(purpose="Måling"))
    assert accepted.is_valid(), accepted.errors
    assert accepted.validated_data["resource"] == 7 and accepted.validated_data["purpose"] == "Måling"
    assert refused.errors.keys() == {"resource", "start"}  # the first answer is untouched
    missing = OneBookingSerializer(data={})
    assert not missing.is_valid()
    assert set(missing.errors) == {"resource", "start", "end", "activity", "access_model"}


def test_shared_fields_are_shared_per_class_and_bound_to_no_request():
    one, other = OneBookingSerializer(data={}), OneBookingSerializer(data={})
    assert one.fields["start"] is other.fields["start"]
    series = BookingCreateSerializer(data={})
    assert "repeat" in series.fields and "repeat" not in one.fields
    assert series.fields["start"] is not one.fields["start"]


def test_shared_fields_keep_no_reference_to_the_first_request():
    fresh = type("Fresh", (OneBookingSerializer,), {})
    first = fresh(data=_valid_booking(), context={"request": "the first request"})
    assert first.is_valid(), first.errors
    later = fresh(data=_valid_booking())
    assert later.fields["start"].root is not first
    assert later.fields["start"].context == {}


def test_shared_fields_speak_the_language_of_each_request():
    with translation.override("en"):
        english = OneBookingSerializer(data={})
        english.is_valid()
        english_message = str(english.errors["resource"][0])
    with translation.override("nb"):
        norwegian = OneBookingSerializer(data={})
        norwegian.is_valid()
        norwegian_message = str(norwegian.errors["resource"][0])
    assert english_message == "This field is required."
    assert norwegian_message != english_message and norwegian_message


@pytest.mark.parametrize("first", ["nb", "en"])
def test_length_and_range_messages_of_shared_fields_speak_each_requests_language(first):
    """DRF formats these messages once and keeps them; shared between requests they must not keep a language."""
    fresh = type(f"Fresh{first}", (BookingCreateSerializer,), {})
    answers = {}
    for language in (first, "nb" if first == "en" else "en", first):
        with translation.override(language):
            serializer = fresh(data=_valid_booking(purpose="a" * 2001, repeat="weekly", count=500))
            assert not serializer.is_valid()
            answers.setdefault(language, set()).add(
                (str(serializer.errors["purpose"][0]), str(serializer.errors["count"][0]))
            )
    assert len(answers["nb"]) == len(answers["en"]) == 1
    (purpose_nb, count_nb), (purpose_en, count_en) = answers["nb"].pop(), answers["en"].pop()
    assert purpose_en == "Ensure this field has no more than 2000 characters."
    assert count_en == "Ensure this value is less than or equal to 200."
    assert purpose_nb != purpose_en and "2000" in purpose_nb and count_nb != count_en and "200" in count_nb


def test_a_serializer_with_shared_fields_refuses_a_partial_update():
    with pytest.raises(ImproperlyConfigured, match="partial"):
        OneBookingSerializer(data={}, partial=True)


@pytest.mark.parametrize(
    "field",
    [
        lambda: serializers.HiddenField(default=CurrentUserDefault()),
        lambda: serializers.IntegerField(default=CurrentUserDefault()),
        lambda: serializers.ListField(child=serializers.IntegerField()),
        lambda: serializers.SerializerMethodField(),
        lambda: serializers.MultipleChoiceField(choices=["a", "b"], default=["a"]),
    ],
)
def test_a_field_that_reads_its_request_cannot_be_shared(field):
    serializer_class = type("Contextual", (SharedFieldsSerializer,), {"value": field()})
    with pytest.raises(ImproperlyConfigured, match="Contextual.value"):
        serializer_class(data={}).is_valid()
