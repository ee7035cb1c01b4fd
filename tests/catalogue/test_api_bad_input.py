"""Odd ids and filter values in the read API and the search page: a 404 or an empty answer, never a 500."""

import pytest

from tests.factories import FacilityFactory, FacilityManagerFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/facilities/?institution={HUGE}",
        f"/api/v1/resources/?institution={HUGE}",
        f"/api/v1/resources/?facility={HUGE}",
        f"/search/?institution={HUGE}",
    ],
)
def test_an_id_no_database_key_can_hold_finds_nothing(client, url):
    FacilityFactory()
    response = client.get(url)
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["count"] == 0


@pytest.mark.parametrize("collection", ["institutions", "facilities", "resources", "contacts"])
def test_an_id_that_is_not_a_number_is_404(client, collection):
    assert client.get(f"/api/v1/{collection}/abc/").status_code == 404


def test_the_institution_filter_still_takes_ids_and_slugs(client):
    facility = FacilityFactory()
    FacilityFactory()
    by_id = client.get(f"/api/v1/facilities/?institution={facility.institution_id}").json()
    by_slug = client.get(f"/api/v1/facilities/?institution={facility.institution.slug}").json()
    assert [row["id"] for row in by_id["results"]] == [facility.id]
    assert [row["id"] for row in by_slug["results"]] == [facility.id]


def test_api_errors_that_drf_leaves_untranslated_read_norwegian(client):
    facility = FacilityFactory()
    client.force_login(FacilityManagerFactory(facility=facility).user)
    response = client.patch(
        f"/api/v1/facilities/{facility.id}/",
        {"open_to_industry": "maybe", "description_nb": ["a"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    assert response.json()["open_to_industry"] == ["Må være en gyldig sannhetsverdi (true eller false)."]
    assert response.json()["description_nb"] == ["Ikke en gyldig tekst."]
