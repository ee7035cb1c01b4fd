"""The register-search benchmark (tools.benchmark.search) at a small scale: it builds its register and reports
every search on page, API and plain SQL. Its figures are not checked here (speed is for the full runs)."""

import pytest

from catalogue import selectors
from tools.benchmark import search as benchmark

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_small_register_is_built_found_and_measured():
    built = benchmark.build(facility_count=300, resources_per_facility=4)
    assert (built["facilities"], built["resources"], built["bookable_resources"]) == (300, 1200, 900)
    published = selectors.published_facilities()
    assert selectors.facility_search(published, "spektrometri").exists()  # inside "massespektrometri"
    report = benchmark.measure(repeats=1, warmup=0)
    assert [text for text in report["searches"]] == [text for text, _why in benchmark.SEARCHES]
    for figures in report["searches"].values():
        assert figures["matches"] > 0
        assert figures["queries"]["api"] <= 7  # the search in its transaction (4), the page's rows (3)
        assert {"page", "api", "sql", "cpu"} <= set(figures)
    table = benchmark.markdown_table(report).splitlines()
    assert len(table) == 2 + len(benchmark.SEARCHES) + 1 and table[-1].startswith("| **all five** |")


def test_a_new_build_replaces_the_register_of_the_last_one():
    benchmark.build(facility_count=20, resources_per_facility=2)
    benchmark.wipe()
    benchmark.build(facility_count=30, resources_per_facility=2)
    assert benchmark.counts()["facilities"] == 30
