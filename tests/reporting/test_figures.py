"""The figures of the small known data set in tests/reporting/world.py, worked out by hand."""

from decimal import Decimal

import pytest

from catalogue.choices import FacilityKind
from reporting import selectors
from reporting.choices import Dimension
from reporting.compute import USE_FIGURES
from reporting.models import PublishedCell, UseAggregate
from tests.reporting import world

pytestmark = pytest.mark.django_db

QUARTER = 1


@pytest.fixture
def data():
    built = world.build()
    world.rebuild()
    return built


def rows(dimension, quarter=QUARTER):
    return {
        row.member: row for row in selectors.statistics_table(year=world.YEAR, quarter=quarter, dimension=dimension)
    }


def test_national_figures(data):
    national = selectors.statistics_national(year=world.YEAR, quarter=QUARTER).figures
    assert national["industry_bookings"] == 4 + 1 + 3
    assert national["industry_hours"] == Decimal("15.00")  # 8 at Alfa, 4 at Beta, 3 at Gamma
    assert national["distinct_companies"] == 8
    assert national["industry_revenue"] == Decimal("15000.00")
    assert national["internal_bookings"] == 1 and national["internal_hours"] == Decimal("5.00")
    assert national["external_bookings"] == 1 and national["external_hours"] == Decimal("2.00")
    # Capacity is known for Alfa's resource only: a quarter of 1 000 hours, of which companies used 8.
    assert national["capacity_hours"] == Decimal("250.00")
    assert national["industry_share_of_capacity"] == Decimal("0.0320")
    # Four facilities are published, open to industry and have a bookable resource; Alfa's laboratory has none.
    assert national["facilities_open_bookable"] == 3


def test_institution_figures_and_suppression(data):
    institutions = rows(Dimension.INSTITUTION)
    alfa = institutions["alfa"].figures
    assert (alfa["industry_bookings"], alfa["industry_hours"], alfa["distinct_companies"]) == (4, Decimal("8.00"), 4)
    assert alfa["industry_revenue"] == Decimal("8000.00")
    assert institutions["alfa"].revenue_by_access_model["rental"] == Decimal("8000.00")
    assert institutions["alfa"].revenue_by_access_model["service"] == Decimal("0")
    # Beta: one company -> hidden. Gamma: three, but north = Beta + Gamma is shown, so Gamma goes too.
    for slug in ("beta", "gamma"):
        figures = institutions[slug].figures
        assert institutions[slug].use_hidden
        assert [figures[name] for name in USE_FIGURES] == [None] * len(USE_FIGURES)
        assert all(amount is None for amount in institutions[slug].revenue_by_access_model.values())
    # Figures about non-company users are never hidden.
    assert institutions["alfa"].figures["internal_hours"] == Decimal("5.00")


def test_no_shown_total_minus_shown_parts_reveals_a_hidden_cell(data):
    """For every published table and period: total minus the shown rows is either nothing or covers at least two
    hidden rows (and, by the rule, at least 3 companies)."""
    for quarter in (0, 1, 2, 3, 4):
        national = selectors.statistics_national(year=world.YEAR, quarter=quarter).figures
        for dimension in (Dimension.INSTITUTION, Dimension.REGION, Dimension.FACILITY_KIND):
            table = selectors.statistics_table(year=world.YEAR, quarter=quarter, dimension=dimension)
            hidden = [row for row in table if row.use_hidden and row.figures["industry_bookings"] is None]
            shown = sum(row.figures["industry_hours"] for row in table if not row.use_hidden)
            if national["industry_hours"] is not None and hidden:
                assert len(hidden) >= 2, (quarter, dimension)
                assert national["industry_hours"] - shown > 0


def test_regions(data):
    regions = rows(Dimension.REGION)
    assert regions["north"].figures["industry_hours"] == Decimal("7.00")  # Beta 4 + Gamma 3: 4 companies
    assert regions["north"].figures["distinct_companies"] == 4
    assert regions["west"].figures["industry_hours"] == Decimal("8.00")
    assert set(regions) == {"west", "north"}  # regions with an institution in the register


def test_facility_kinds(data):
    kinds = rows(Dimension.FACILITY_KIND)
    # Core facilities: all eight companies (Alfa's four, Beta's one, Gamma's three); laboratories: none.
    assert kinds["core_facility"].figures["distinct_companies"] == 8
    assert kinds["core_facility"].figures["industry_hours"] == Decimal("15.00")
    assert kinds["laboratory"].figures["industry_hours"] == Decimal("0.00")


def test_a_kind_that_only_a_hidden_institution_has_is_hidden_too(db):
    """Gamma alone has a test bed: the kinds' table would show Gamma's figures, and north minus Gamma is Beta's
    one company. The audit hides the test beds (and, as a part of the whole country, the core facilities)."""
    world.build(gamma_kind=FacilityKind.TEST_BED)
    world.rebuild()
    kinds = rows(Dimension.FACILITY_KIND)
    assert kinds["test_bed"].use_hidden and kinds["core_facility"].use_hidden
    institutions = rows(Dimension.INSTITUTION)
    assert institutions["beta"].use_hidden and institutions["gamma"].use_hidden
    assert rows(Dimension.REGION)["north"].figures["industry_hours"] == Decimal("7.00")


def test_requests(data):
    alfa = rows(Dimension.INSTITUTION)["alfa"].figures
    assert alfa["industry_requests"] == 4  # spam and the unconfirmed request are not requests
    assert alfa["requests_answered"] == 3
    assert alfa["requests_accepted"] == 1
    assert alfa["median_working_days_to_first_answer"] == Decimal("2")  # of 2, 9 and 1
    # Within 5 working days: R1 and R3; R2 was late and R4 is overdue.
    assert alfa["answered_within_deadline_share"] == Decimal("0.5000")
    beta = rows(Dimension.INSTITUTION)["beta"].figures
    assert beta["industry_requests"] == 0  # none: a zero reveals nobody


def test_the_year_and_empty_quarters(data):
    year = selectors.statistics_national(year=world.YEAR, quarter=0).figures
    assert year["industry_hours"] == Decimal("15.00")
    assert year["capacity_hours"] == Decimal("1000.00")
    assert year["industry_share_of_capacity"] == Decimal("0.0080")
    second = selectors.statistics_national(year=world.YEAR, quarter=2).figures
    assert second["industry_bookings"] == 0 and second["industry_requests"] == 0
    assert [row.figures["industry_hours"] for row in selectors.statistics_series(year=world.YEAR)] == [
        Decimal("15.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"),
    ]  # fmt: skip


def test_sectors(data):
    sectors = {row.section: row for row in selectors.statistics_sectors(year=world.YEAR, quarter=QUARTER)}
    # M has C1 and C3, C has C2, J has C4: each fewer than 3, hidden; C5-C8 have no NACE code: 4, shown.
    assert sectors["X"].distinct_companies == 4 and sectors["X"].industry_hours == Decimal("7.00")
    assert all(sectors[section].hidden for section in ("M", "C", "J"))


def test_ranking_only_ranks_institutions_whose_figures_are_shown(data):
    institutions = rows(Dimension.INSTITUTION, quarter=0)
    alfa = institutions["alfa"].figures
    assert alfa["rank"] == 1
    assert alfa["hours_per_facility"] == Decimal("8.00")  # 8 hours, one open bookable facility
    assert alfa["ranking_index"] == Decimal("100.0")
    assert institutions["beta"].figures["rank"] is None and institutions["gamma"].figures["rank"] is None


def test_rebuild_is_idempotent(data):
    before = sorted(PublishedCell.objects.values_list("quarter", "dimension", "member", "breakdown", "figures"))
    aggregates = UseAggregate.objects.count()
    world.rebuild()
    after = sorted(PublishedCell.objects.values_list("quarter", "dimension", "member", "breakdown", "figures"))
    assert after == before
    assert UseAggregate.objects.count() == aggregates


def test_the_periodic_task_and_the_command_rebuild(db):
    import io

    from django.core.management import call_command

    from reporting.tasks import rebuild_statistics

    world.build()
    assert rebuild_statistics(year=world.YEAR) == PublishedCell.objects.filter(year=world.YEAR).count() > 0
    out = io.StringIO()
    call_command("statistics_rebuild", "--year", str(world.YEAR), stdout=out)
    assert out.getvalue().startswith(f"{world.YEAR}: ") and "published cells" in out.getvalue()
