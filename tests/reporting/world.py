"""A small known data set for the statistics, with every figure worked out by hand in the tests.

2026, first quarter (January, Oslo time):

- Alfa (west): facility "alfa-kjerne" (core facility) with one bookable resource of 1 000 hours a year. Four
  companies used it: C1 2 h, C2 3 h, C3 1 h, C4 2 h, all rentals at 1 000 NOK/h (8 000 NOK). Alfa's own staff
  5 h (internal), a Beta researcher 2 h (other external). Its laboratory "alfa-lab" has no resource.
- Beta (north): one company, C5, 4 h (4 000 NOK): fewer than 3 companies, so hidden.
- Gamma (north): three companies, C6 to C8, 1 h each, at a core facility: would be shown, but north = Beta +
  Gamma is shown, so Gamma is hidden too (or north minus Gamma would give Beta). `build(gamma_kind=...)` makes
  it the only institution with that kind of facility, which the kinds' table would then give away.
- Requests, all to Alfa, received Monday 5 January 2026 at 09:00: R1 (company 900000001) routed and accepted
  after 2 working days; R2 (900000002) declined after 9; R3 (900000003) asked for more information after 1; R4
  (900000004) never answered, its deadline long past.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.choices import RegisterState
from accounts.models import Organisation
from booking.choices import BookingStatus
from catalogue.choices import FacilityKind, Region
from intake.choices import RequestStatus, RoutingStatus
from intake.models import RequestEvent, Routing
from reporting import services
from tests.booking.factories import BookingFactory
from tests.factories import FacilityFactory, InstitutionFactory, ResourceFactory, UserFactory
from tests.intake.factories import IntakeRequestFactory
from tests.pricing.factories import CostBaseFactory

YEAR = 2026
OSLO = datetime.timezone(datetime.timedelta(hours=1))  # January: Oslo is UTC+1
NACE = {"C1": "72.110", "C2": "21.200", "C3": "72.190", "C4": "62.010"}  # M, C, M, J; C5-C8 none (X)


@dataclass
class World:
    alfa: object
    beta: object
    gamma: object
    alfa_facility: object
    alfa_resource: object
    manager: object


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(YEAR, 1, day, hour, tzinfo=OSLO)


def company_booking(resource, company: str, hours: int, day: int, **kwargs):
    number = f"91000000{company[1:]}"
    kwargs.setdefault("start", at(day))
    booking = BookingFactory(
        resource=resource, charged=True, payer_name=f"{company} AS", payer_org_number=number, hours=hours, **kwargs
    )
    Organisation.objects.filter(org_number=number).update(nace_code=NACE.get(company, ""))
    return booking


def build(*, gamma_kind: str = FacilityKind.CORE_FACILITY) -> World:
    alfa = InstitutionFactory(slug="alfa", name="Alfa-universitetet", region=Region.WEST)
    beta = InstitutionFactory(slug="beta", name="Beta-sykehuset", region=Region.NORTH)
    gamma = InstitutionFactory(slug="gamma", name="Gamma-instituttet", region=Region.NORTH)
    alfa_facility = FacilityFactory(institution=alfa, slug="alfa-kjerne", kind=FacilityKind.CORE_FACILITY)
    FacilityFactory(institution=alfa, slug="alfa-lab", kind=FacilityKind.LABORATORY)
    alfa_resource = ResourceFactory(facility=alfa_facility)
    CostBaseFactory(resource=alfa_resource, year=YEAR, capacity_units=Decimal("1000"))
    beta_resource = ResourceFactory(facility=FacilityFactory(institution=beta, kind=FacilityKind.CORE_FACILITY))
    gamma_resource = ResourceFactory(facility=FacilityFactory(institution=gamma, kind=gamma_kind))

    for company, hours, day in (("C1", 2, 5), ("C2", 3, 6), ("C3", 1, 7), ("C4", 2, 8)):
        company_booking(alfa_resource, company, hours, day)
    staff = UserFactory()
    BookingFactory(resource=alfa_resource, user=staff, status=BookingStatus.COMPLETED, payer_institution=alfa,
                   payer_org_number="", hours=5, start=at(12))  # fmt: skip
    BookingFactory(resource=alfa_resource, user=staff, status=BookingStatus.COMPLETED, payer_institution=beta,
                   payer_org_number="", hours=2, start=at(13))  # fmt: skip
    # Not counted: a booking still confirmed, and one in 2025 (Oslo time: 31 December 23:30).
    company_booking(alfa_resource, "C1", 1, 20, status=BookingStatus.CONFIRMED)
    company_booking(alfa_resource, "C1", 1, 1, start=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=OSLO))
    company_booking(beta_resource, "C5", 4, 9)
    for company, day in (("C6", 5), ("C7", 6), ("C8", 7)):
        company_booking(gamma_resource, company, 1, day)

    def request(number, **kwargs):
        # The requesting company as a verified, registered organisation: only those count as companies.
        organisation, _created = Organisation.objects.get_or_create(
            org_number=number, defaults={"name": f"Bedrift {number}", "register_state": RegisterState.VERIFIED}
        )
        created = IntakeRequestFactory(org_number=number, institution=alfa, organisation=organisation, **kwargs)
        type(created).objects.filter(pk=created.pk).update(created_at=at(5), confirmed_at=at(5))
        return created

    r1 = request("900000001", status=RequestStatus.ACCEPTED)
    Routing.objects.create(request=r1, facility=alfa_facility, status=RoutingStatus.ACCEPTED, decided_at=at(7))
    r2 = request("900000002", status=RequestStatus.DECLINED)
    Routing.objects.create(request=r2, facility=alfa_facility, status=RoutingStatus.DECLINED, decided_at=at(16))
    r3 = request("900000003", status=RequestStatus.NEEDS_INFO)
    event = RequestEvent.objects.create(request=r3, from_status=RequestStatus.IN_SCREENING,
                                        to_status=RequestStatus.NEEDS_INFO)  # fmt: skip
    RequestEvent.objects.filter(pk=event.pk).update(created_at=at(6, 14))
    request("900000004", status=RequestStatus.IN_SCREENING)
    # Not counted: spam, and a request whose e-mail address was never confirmed.
    request("900000005", status=RequestStatus.CLOSED, close_reason="spam")
    request("900000006", status=RequestStatus.AWAITING_CONFIRMATION)

    manager = UserFactory()
    alfa_facility.managers.create(user=manager)
    return World(alfa, beta, gamma, alfa_facility, alfa_resource, manager)


def rebuild():
    return services.statistics_rebuild(year=YEAR, now=timezone.now())
