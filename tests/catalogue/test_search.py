"""Search and filters: the page and the API answer the same question the same way."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from catalogue import selectors, services
from catalogue.choices import FacilityKind, PublicationStatus, Region
from catalogue.models import Facility
from tests.booking.factories import BookingPolicyFactory
from tests.factories import (
    CategoryFactory,
    ContactPersonFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    ResourceFactory,
)
from tests.pricing.factories import hourly_price_list


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


def test_facets_count_every_value_of_a_result_set(db):
    """Each facet counts the results per value (PostgreSQL in one pass of grouping sets, SQLite per combination),
    whatever else the results have in common; a facility outside the set is not counted."""
    north = InstitutionFactory(slug="nord", name="Nord", region=Region.NORTH, city="Tromsø")
    west = InstitutionFactory(slug="vest", name="Vest", region=Region.WEST, city="Bergen")
    unplaced = InstitutionFactory(slug="uten", name="Uten region", region="", city="Oslo")
    field = CategoryFactory(slug="felt", name_nb="Felt")
    shapes = [
        (north, "Tromsø", FacilityKind.LABORATORY, True, False, False, True),
        (north, "Bodø", FacilityKind.LABORATORY, False, True, False, True),
        (north, "Tromsø", FacilityKind.TEST_BED, True, True, True, False),
        (west, "Bergen", FacilityKind.LABORATORY, False, False, True, True),
        (unplaced, "Oslo", FacilityKind.CORE_FACILITY, True, False, False, False),
    ]
    facilities = [
        FacilityFactory(
            institution=institution,
            city=city,
            kind=kind,
            offers_rental=rental,
            offers_service=service,
            offers_commissioned=commissioned,
            offers_collaboration=False,
            open_to_industry=open_to_industry,
        )  # fmt: skip
        for institution, city, kind, rental, service, commissioned, open_to_industry in shapes
    ]
    facilities[0].categories.add(field)
    facilities[3].categories.add(field)
    outside = FacilityFactory(institution=west, city="Bergen", kind=FacilityKind.TEST_BED)
    outside.categories.add(field)

    facets = selectors.facility_facets_of([facility.pk for facility in facilities])

    def counts(name):
        return {option["value"]: option["count"] for option in facets[name]}

    assert counts("institution") == {"nord": 3, "vest": 1, "uten": 1}
    assert counts("region") == {Region.NORTH: 3, Region.WEST: 1}
    assert counts("city") == {"Tromsø": 2, "Bodø": 1, "Bergen": 1, "Oslo": 1}
    assert counts("kind") == {FacilityKind.LABORATORY: 3, FacilityKind.TEST_BED: 1, FacilityKind.CORE_FACILITY: 1}
    assert counts("access_model") == {"rental": 3, "service": 2, "commissioned": 2}
    assert counts("open_to_industry") == {"true": 3}
    assert counts("category") == {"felt": 2}
    assert [option["label"] for option in facets["institution"]] == ["Nord", "Uten region", "Vest"]


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


# --- Word forms and substrings on every database ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mikroskop", {"Kjernefasilitet for mikroskopi"}),  # a prefix of the word in the name
        ("spektrometri", {"Massespektrometrilaben"}),  # inside a compound the stemmer does not split
        ("ORBITRAP", {"Massespektrometrilaben"}),  # in the keywords, any case
        ("electron", {"Kjernefasilitet for mikroskopi"}),  # in the English description
        ("mikroskop sekvens", set()),  # every word must be found
    ],
)
def test_words_and_substrings_are_found_on_page_and_api(db, client, api_client, query, expected):
    FacilityFactory(name="Kjernefasilitet for mikroskopi", description_en="Transmission electron microscopes.")
    FacilityFactory(name="Massespektrometrilaben", keywords="Orbitrap, proteomikk")
    assert _page_names(client, {"q": query}) == expected
    assert _api_names(api_client, {"q": query}) == expected


def test_an_edit_through_the_service_is_searchable_at_once(db, api_client):
    facility = FacilityFactory(name="Cellelaben", description_nb="Cellekulturer.")
    manager = FacilityManagerFactory(facility=facility).user
    services.facility_update(facility=facility, actor=manager, description_nb="Vi tilbyr flowcytometri.")
    assert _api_names(api_client, {"q": "flowcytometri"}) == {"Cellelaben"}
    assert _api_names(api_client, {"q": "cellekultur"}) == set()


# --- What a search costs ------------------------------------------------------------------------------------------


def _results_with_everything_shown(count: int) -> None:
    """Facilities that match "mikroskop", each with a contact, a bookable resource and a price list."""
    institution = InstitutionFactory()
    for number in range(count):
        facility = FacilityFactory(institution=institution, name=f"Mikroskopilab {number}")
        facility.categories.add(CategoryFactory())
        ContactPersonFactory(facility=facility, is_primary=True)
        resource = ResourceFactory(facility=facility, bookable=True)
        BookingPolicyFactory(resource=resource, requires_approval=number % 2 == 0)
        hourly_price_list(
            resource, valid_from=datetime.date(2000, 1, 1), valid_to=None, internal=500, non_economic=700, economic=1200
        )


# A page of results costs at most this many queries however many rows it shows. The search itself runs once, in a
# transaction of its own that sets the planner's page cost (SAVEPOINT here, SET LOCAL, the ids of all results,
# RELEASE: 4); the page then reads the facets (2), the page's results with their research fields and contacts (3),
# the facts of booking (how each is booked, and the next free time: 1 for the next day, 1 more for the rest of the
# period when the next day leaves a result unsettled) and pricing (2), and the demo banner (1): 15.
SEARCH_PAGE_QUERIES = 15
# The API: the search (4), the page's results, research fields and contacts (3).
API_SEARCH_QUERIES = 7


@pytest.mark.parametrize("count", [3, 25])
def test_the_search_page_costs_the_same_queries_for_few_results_or_a_full_page(
    db, client, count, django_assert_max_num_queries
):
    _results_with_everything_shown(count)
    with django_assert_max_num_queries(SEARCH_PAGE_QUERIES):
        response = client.get(reverse("catalogue:search"), {"q": "mikroskop"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 20)
    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", [3, 60])
def test_the_api_search_costs_the_same_queries_for_few_results_or_a_full_page(
    db, api_client, count, django_assert_max_num_queries
):
    _results_with_everything_shown(count)
    with django_assert_max_num_queries(API_SEARCH_QUERIES):
        response = api_client.get("/api/v1/facilities/", {"q": "mikroskop"})
    body = response.json()
    assert body["count"] == count
    assert all(row["primary_contact"] for row in body["results"])


# --- PostgreSQL: the stored vector and the indexes ----------------------------------------------------------------


@pytest.mark.postgres
def test_the_stored_vector_follows_an_edit_through_the_service(db):
    facility = FacilityFactory(name="Cellelaben", keywords="cellekultur")
    manager = FacilityManagerFactory(facility=facility).user
    services.facility_update(facility=facility, actor=manager, keywords="flowcytometri, cellesortering")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text, search_text FROM catalogue_facility WHERE id = %s", [facility.pk])
        vector, text = cursor.fetchone()
    assert "'flowcytometri':" in vector and "cellekultur" not in vector
    assert "flowcytometri, cellesortering" in text


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_a_search_is_served_by_the_indexes_of_the_stored_columns(db):
    """A search's conditions are answered by the GIN index of the stored vector, the trigram index of the stored
    text and the primary key (the facilities of matching research fields), OR-ed into one bitmap; no facility's
    vector is computed. The planner is told to avoid plain and index scans, which it would still pick for a
    condition no index serves; on the national-scale benchmark register (docs/benchmark.md) it picks this plan
    by itself for a rare word."""
    institution = InstitutionFactory()
    Facility.objects.bulk_create(
        Facility(
            institution=institution,
            kind=FacilityKind.LABORATORY,
            name=f"Lab {number}",
            slug=f"lab-{number}",
            description_nb="Vi tilbyr sveising og akustikk for forskere og bedrifter.",
            city="Oslo",
            status=PublicationStatus.PUBLISHED,
        )
        for number in range(300)
    )
    FacilityFactory(institution=institution, name="Massespektrometrilaben")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_facility")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = _plan(selectors.facility_search(selectors.published_facilities(), "massespektrometri"))
    assert "BitmapOr" in plan
    assert "Bitmap Index Scan on catalogue_facility_search" in plan
    assert "Bitmap Index Scan on catalogue_facility_trigram" in plan
    assert "Bitmap Index Scan on catalogue_facility_pkey" in plan
    assert "COALESCE(name, " not in plan and "COALESCE(u0.name, " not in plan  # no to_tsvector of a facility
    found = selectors.facility_search(selectors.published_facilities(), "spektrometri")
    assert [facility.name for facility in found] == ["Massespektrometrilaben"]
