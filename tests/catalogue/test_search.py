"""Search and filters: the page and the API answer the same question the same way."""

import pytest
from django.urls import reverse

from catalogue.choices import FacilityKind, PublicationStatus, Region
from tests.factories import CategoryFactory, FacilityFactory, InstitutionFactory


@pytest.fixture
def register(db):
    uio = InstitutionFactory(short_name="UiO", slug="uio", city="Oslo", region=Region.SOUTH_EAST)
    uit = InstitutionFactory(short_name="UiT", slug="uit", city="Tromsø", region=Region.NORTH)
    imaging = CategoryFactory(slug="bildediagnostikk", name_nb="Bildediagnostikk", name_en="Imaging")
    cells = CategoryFactory(slug="cellebiologi", name_nb="Cellebiologi", name_en="Cell biology")
    microscopy = FacilityFactory(
        institution=uio,
        name="Avansert lysmikroskopi",
        description_nb="Mikroskopi av levende celler: konfokal- og superoppløsningsmikroskopi.",
        keywords="konfokal, STED",
        offers_rental=True,
        offers_commissioned=False,
    )
    microscopy.categories.add(imaging)
    cell_lab = FacilityFactory(
        institution=uit,
        name="Cellelaboratoriet i Tromsø",
        description_nb="Vi dyrker cellekulturer og tilbyr stamcelleteknikker.",
        kind=FacilityKind.LABORATORY,
        offers_rental=False,
        offers_commissioned=True,
        open_to_industry=False,
    )
    cell_lab.categories.add(cells)
    ocean = FacilityFactory(
        institution=uit,
        name="Havbrukslaben",
        description_nb="Forsøkstanker for fisk og skalldyr.",
        kind=FacilityKind.TEST_BED,
    )
    FacilityFactory(institution=uio, name="Skjult mikroskopiutkast", status=PublicationStatus.DRAFT)
    return {"microscopy": microscopy, "cell_lab": cell_lab, "ocean": ocean, "uio": uio, "uit": uit}


def _page_names(client, params):
    response = client.get(reverse("catalogue:search"), params)
    assert response.status_code == 200
    return {facility.name for facility in response.context["page"].object_list}


def _api_names(api_client, params):
    response = api_client.get("/api/v1/facilities/", params)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


FILTERS = [
    ({"institution": "uit"}, {"Cellelaboratoriet i Tromsø", "Havbrukslaben"}),
    ({"kind": "laboratory"}, {"Cellelaboratoriet i Tromsø"}),
    ({"category": "bildediagnostikk"}, {"Avansert lysmikroskopi"}),
    ({"city": "tromsø"}, {"Cellelaboratoriet i Tromsø", "Havbrukslaben"}),
    ({"region": "south_east"}, {"Avansert lysmikroskopi"}),
    ({"access_model": "commissioned"}, {"Cellelaboratoriet i Tromsø"}),
    ({"open_to_industry": "false"}, {"Cellelaboratoriet i Tromsø"}),
    ({"institution": "uit", "open_to_industry": "true"}, {"Havbrukslaben"}),
    ({"q": "mikroskopi"}, {"Avansert lysmikroskopi"}),
    ({"q": "fisk"}, {"Havbrukslaben"}),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_page_and_api_filter_alike(register, client, api_client, params, expected):
    assert _page_names(client, params) == expected
    assert _api_names(api_client, params) == expected


def test_institution_filter_takes_id_or_slug(register, api_client):
    by_id = _api_names(api_client, {"institution": register["uit"].pk})
    assert by_id == _api_names(api_client, {"institution": "uit"}) == {"Cellelaboratoriet i Tromsø", "Havbrukslaben"}


def test_bad_filter_value_is_a_400_naming_the_field(register, api_client):
    response = api_client.get("/api/v1/facilities/", {"kind": "rocket"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_drafts_are_never_found_by_the_public(register, client):
    assert "Skjult mikroskopiutkast" not in _page_names(client, {"q": "mikroskopi"})


def test_facets_count_and_keep_other_filters(register, client):
    response = client.get(reverse("catalogue:search"), {"institution": "uit", "q": ""})
    facets = response.context["facets"]
    kinds = {value["value"]: value for value in facets["kind"]}
    assert kinds["laboratory"]["count"] == 1 and kinds["test_bed"]["count"] == 1
    assert "institution=uit" in kinds["laboratory"]["url"] and "kind=laboratory" in kinds["laboratory"]["url"]
    institutions = {value["value"]: value for value in facets["institution"]}
    assert institutions["uit"]["active"] and "institution" not in institutions["uit"]["url"]
    assert response.context["active_filters"] == [
        {"label": "Institusjon", "value": register["uit"].name, "remove_url": "?q="}
    ]


def test_the_open_to_industry_filter_in_use_reads_yes(register, client):
    response = client.get(reverse("catalogue:search"), {"open_to_industry": "true"})
    assert [(f["label"], f["value"]) for f in response.context["active_filters"]] == [("Åpen for næringslivet", "Ja")]
    assert "Fjern filteret Åpen for næringslivet: Ja" in response.content.decode()


def test_search_results_paginate(db, client):
    institution = InstitutionFactory()
    FacilityFactory.create_batch(25, institution=institution)
    first = client.get(reverse("catalogue:search"), {"institution": institution.slug})
    assert len(first.context["page"].object_list) == 20
    assert f"institution={institution.slug}&amp;page=2" in first.content.decode()
    second = client.get(reverse("catalogue:search"), {"institution": institution.slug, "page": 2})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mikroskop", "Avansert lysmikroskopi"),  # a prefix of "mikroskopi"
        ("Mikroskopien", "Avansert lysmikroskopi"),  # an inflected form, stemmed by the Norwegian dictionary
        ("cellekultur", "Cellelaboratoriet i Tromsø"),  # singular finds "cellekulturer"
        ("cellekulturene", "Cellelaboratoriet i Tromsø"),
        ("imaging", "Avansert lysmikroskopi"),  # the English category name
        ("fisk & )(", "Havbrukslaben"),  # tsquery syntax in the input is harmless
    ],
)
def test_norwegian_word_forms_on_postgres(register, api_client, query, expected):
    assert expected in _api_names(api_client, {"q": query})


@pytest.mark.postgres
def test_results_are_ranked_name_first(db, api_client):
    FacilityFactory(name="Aaa sekvensering", description_nb="Noe mikroskopi finnes også her.")
    FacilityFactory(name="Zzz kjernefasilitet for mikroskopi", description_nb="Bildebehandling.")
    names = [row["name"] for row in api_client.get("/api/v1/facilities/", {"q": "mikroskopi"}).json()["results"]]
    assert names == ["Zzz kjernefasilitet for mikroskopi", "Aaa sekvensering"]
