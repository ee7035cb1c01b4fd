"""A request that belongs to no kind of facility or no institution (never routed, no institution named) is a part of
the national figure that is never published: the confidentiality rule counts it, so that the national figure minus
the shown members never gives one or two companies' requests."""

import pytest

from reporting.compute import FacilityInfo, RequestRow, cells_compute

FACILITIES = {1: FacilityInfo("uio", "oslo", "lab", True), 2: FacilityInfo("ntnu", "trondelag", "lab", True)}
INSTITUTIONS = {"uio": "oslo", "ntnu": "trondelag"}


def routed(request_id, company):
    return RequestRow(request_id, 1, company, (("uio", "lab"),), True, False, 1, True)


def whole_year(request_rows):
    cells = cells_compute(
        facilities=FACILITIES, institutions=INSTITUTIONS, use_rows=[], capacities={}, sectors={},
        request_rows=request_rows,
    )  # fmt: skip
    return {(cell.dimension, cell.member): cell.figures for cell in cells if cell.quarter == 0 and not cell.breakdown}


@pytest.mark.parametrize(
    ("unplaced", "dimension", "member"),
    [
        (RequestRow(9, 1, "D", (("ntnu", ""),), False, False, None, None), "kind", "lab"),  # no kind
        (RequestRow(9, 1, "D", (), False, False, None, None), "institution", "uio"),  # no institution
    ],
)
def test_the_national_figure_minus_the_shown_members_never_gives_one_companys_unplaced_request(
    unplaced, dimension, member
):
    figures = whole_year([routed(1, "A"), routed(2, "B"), routed(3, "C"), unplaced])
    assert figures[("national", "all")]["industry_requests"] == 4
    # Shown, 3 of the 4 requests: 4 - 3 would be company D's one request.
    assert figures[(dimension, member)]["industry_requests"] is None
    assert all(key[1] != "-" for key in figures)  # the unplaced part itself is never published


def test_members_are_shown_when_the_unplaced_requests_count_three_companies():
    unplaced = [RequestRow(10 + i, 1, company, (), False, False, None, None) for i, company in enumerate("DEF")]
    figures = whole_year([routed(1, "A"), routed(2, "B"), routed(3, "C"), *unplaced])
    assert (figures[("kind", "lab")]["industry_requests"], figures[("national", "all")]["industry_requests"]) == (3, 6)


def test_requests_with_typed_numbers_only_count_together_as_one_company():
    """A typed organisation number costs nothing: three requests with made-up numbers must not lift a cell over the
    threshold, so the services count every unverified requester as the same one company (UNVERIFIED)."""
    from reporting.compute import UNVERIFIED

    typed = whole_year([routed(1, UNVERIFIED), routed(2, UNVERIFIED), routed(3, UNVERIFIED)])
    assert typed[("institution", "uio")]["industry_requests"] is None
    verified = whole_year([routed(1, 101), routed(2, 102), routed(3, 103)])
    assert verified[("institution", "uio")]["industry_requests"] == 3
    mixed = whole_year([routed(1, 101), routed(2, 102), routed(3, UNVERIFIED), routed(4, UNVERIFIED)])
    assert mixed[("institution", "uio")]["industry_requests"] == 4  # two companies and the typed ones as a third


@pytest.mark.django_db
def test_the_services_count_a_typed_number_as_no_company_of_its_own():
    import datetime

    from django.utils import timezone

    from accounts.choices import RegisterState
    from accounts.models import Organisation
    from reporting import services
    from reporting.compute import UNVERIFIED
    from tests.intake.factories import IntakeRequestFactory

    verified = Organisation.objects.create(
        org_number="988077917", name="Ekte AS", register_state=RegisterState.VERIFIED
    )
    unverified = Organisation.objects.create(org_number="923609016", name="Uverifisert AS")
    now = timezone.now()
    for organisation in (verified, unverified, None):
        IntakeRequestFactory(organisation=organisation, status="in_screening", confirmed_at=now)
    rows = services.request_rows_compute(year=now.year, now=now + datetime.timedelta(hours=1))
    assert sorted(map(str, (row.company for row in rows))) == sorted([str(verified.pk), UNVERIFIED, UNVERIFIED])
