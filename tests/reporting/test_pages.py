"""The public statistics page, its downloads and the open-data description."""

import csv
import io
import re

import pytest
from django.test import Client

from tests.reporting import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    built = world.build()
    world.rebuild()
    return built


def test_page_shows_the_figures_the_charts_and_the_hidden_mark(data, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(12):
        response = client.get("/statistikk/", {"year": world.YEAR, "quarter": 1})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alfa-universitetet" in html
    assert 'data-chart-table="table-series"' in html and 'data-chart-table="table-institutions"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    # Beta and Gamma: hidden cells marked "–" and explained in a footnote.
    beta_row = re.search(r'<tr data-member="beta">(.*?)</tr>', html, re.S).group(1)
    assert "–" in beta_row and 'data-value=""' in beta_row
    assert 'id="hidden-note"' in html
    # The formula is stated.
    assert "H / H_best + D / D_best + C / C_best" in html


def test_no_inline_script_or_style(data):
    response = Client().get("/statistikk/")
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and "<style" not in html


def test_bokmal_by_default_english_by_the_language_switch(data):
    client = Client()
    assert "Statistikk" in client.get("/statistikk/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/statistikk/"})
    assert "Statistics: collaboration with industry" in client.get("/statistikk/").content.decode()


def test_bad_period_is_a_form_error(db):
    response = Client().get("/statistikk/", {"year": "1999"})
    assert response.status_code == 400
    response = Client().get("/statistikk/", {"quarter": "7"})
    assert response.status_code == 400


def test_csv_download_under_nlod_with_hidden_cells_empty(data):
    response = Client().get("/statistikk/institutions.csv", {"year": world.YEAR, "quarter": 1})
    assert response.status_code == 200
    assert "nlod" in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_slug = {row["institution"]: row for row in rows}
    assert by_slug["alfa"]["industry_bookings"] == "4" and by_slug["alfa"]["distinct_companies"] == "4"
    assert by_slug["beta"]["industry_bookings"] == "" and by_slug["beta"]["distinct_companies"] == ""
    assert by_slug["gamma"]["industry_hours"] == ""


def test_json_download_equals_the_api(data):
    download = Client().get("/statistikk/institutions.json", {"year": world.YEAR}).json()
    api = Client().get("/api/v1/statistics/institutions/", {"year": world.YEAR}).json()
    assert download["licence"]["url"].startswith("https://data.norge.no/nlod")
    assert download["rows"] == api


@pytest.mark.parametrize("name", ["regions", "kinds"])
def test_other_tables_download(data, name):
    assert Client().get(f"/statistikk/{name}.csv", {"year": world.YEAR}).status_code == 200
    assert Client().get(f"/statistikk/{name}.json", {"year": world.YEAR}).status_code == 200


def test_bad_download_period_is_a_400_naming_the_field(db):
    response = Client().get("/statistikk/institutions.csv", {"quarter": "9"})
    assert response.status_code == 400 and response.content.decode().startswith("quarter")


def test_open_data_page_describes_every_field(db):
    html = Client().get("/statistikk/apne-data/").content.decode()
    for name in ("industry_share_of_capacity", "answered_within_deadline_share", "distinct_companies", "rank"):
        assert f"<code>{name}</code>" in html
    assert "data.norge.no/nlod" in html


def re_main(html: bytes) -> bytes:
    return re.search(rb"<main.*</main>", html, re.S).group(0)


def test_the_tables_are_read_once_per_rebuild_and_language(data, django_assert_max_num_queries):
    client = Client()
    first = client.get("/statistikk/", {"year": world.YEAR}).content
    with django_assert_max_num_queries(4):  # the period form's years, the rebuild's time; the tables from cache
        again = client.get("/statistikk/", {"year": world.YEAR}).content
    main = re_main(first)
    assert main == re_main(again) and b"Alfa-universitetet" in main
    world.rebuild()  # new figures: read anew
    with django_assert_max_num_queries(12):
        assert b"Alfa-universitetet" in client.get("/statistikk/", {"year": world.YEAR}).content


def test_the_national_download_gives_the_year_and_its_quarters(data):
    rows = list(csv.DictReader(io.StringIO(Client().get("/statistikk/national.csv", {"year": world.YEAR}).content
                                           .decode())))  # fmt: skip
    assert [(row["area"], row["quarter"], row["industry_hours"]) for row in rows] == [
        ("all", "", "15.00"), ("all", "1", "15.00"), ("all", "2", "0.00"), ("all", "3", "0.00"), ("all", "4", "0.00"),
    ]  # fmt: skip


def test_the_vendored_chart_library_names_no_missing_source_map():
    """collectstatic's manifest storage refuses a JS file whose sourceMappingURL points to a file not shipped."""
    from pathlib import Path

    from django.conf import settings

    vendored = Path(settings.BASE_DIR) / "static" / "vendor" / "chartjs" / "chart.umd.min.js"
    for line in vendored.read_text().splitlines():
        if line.startswith("//# sourceMappingURL="):
            assert (vendored.parent / line.split("=", 1)[1]).exists()
