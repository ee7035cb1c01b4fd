"""Demo data for the statistics (`load_demo_register --with-demo-users`): a year of completed bookings by
companies, other external users and internal users on the demo register's bookable resources, and answered
industry requests, so that /statistikk/ has something to show. Then the figures are computed.

All of it is made up and marked: the companies are called "Demo … AS (demodata)" and have fictional
organisation numbers, every booking's purpose and every request's description says it is demo data, and the
demo institutions are `is_demo` (the page says so). Deterministic (seeded by names and dates) and idempotent: a
booking already there for the resource and start, or a request with the same address, is not made again; bulk
inserts keep a run to a few seconds.
"""

import datetime
import random
import zlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounting.selectors import OSLO
from accounts.choices import OrganisationKind, RegisterState
from accounts.models import Organisation
from booking.choices import Activity, BookingStatus
from booking.models import Booking
from catalogue.choices import AccessModel, PublicationStatus
from core.working_days import add_working_days, is_working_day
from intake.choices import Phase, RequestStatus, RoutingStatus, Sector
from intake.models import IntakeRequest, Routing
from pricing.choices import PriceTier
from reporting import services

COMPANY_USER_EMAIL = "demo.bedrift@example.org"
ACADEMIC_EMAILS = ("demo.forsker.uio@example.org", "demo.forsker.ntnu@example.org")
BOOKING_PURPOSE = "Demodata for statistikken (oppdiktet bruk)"
REQUEST_DESCRIPTION = "Demodata for statistikken: en oppdiktet henvendelse om tilgang til infrastruktur."
REQUEST_EMAIL = "demo.statistikk.{number}@example.org"
DAYS = 365
REQUESTS = 160

# (name, NACE code, sector of the request form): made-up companies across the sectors of the health industry.
COMPANIES = (
    ("Demo Biotek", "72.110", Sector.PHARMA),
    ("Demo Legemiddel", "21.200", Sector.PHARMA),
    ("Demo Diagnostikk", "21.200", Sector.DIAGNOSTICS),
    ("Demo Medtek", "32.501", Sector.MEDTECH),
    ("Demo Sensor", "26.600", Sector.MEDTECH),
    ("Demo Helseapp", "62.010", Sector.EHEALTH),
    ("Demo Dataanalyse", "62.020", Sector.EHEALTH),
    ("Demo Testlab", "71.200", Sector.OTHER),
    ("Demo Næringsmiddel", "10.890", Sector.OTHER),
    ("Demo Proteomikk", "72.110", Sector.PHARMA),
    ("Demo Bildeanalyse", "62.010", Sector.EHEALTH),
    ("Demo Implantat", "32.501", Sector.MEDTECH),
    ("Demo Vaksine", "21.100", Sector.PHARMA),
    ("Demo Klinikk", "86.900", Sector.OTHER),
    ("Demo Grossist", "46.460", Sector.OTHER),
    ("Demo Genetikk", "72.190", Sector.DIAGNOSTICS),
    ("Demo Robotikk", "28.990", Sector.MEDTECH),
    ("Demo Velferdsteknologi", "26.510", Sector.EHEALTH),
    ("Demo Marin Bio", "10.200", Sector.OTHER),
    ("Demo Konsulent", "70.220", Sector.OTHER),
    ("Demo Cellterapi", "72.110", Sector.PHARMA),
    ("Demo Laboratorieutstyr", "32.502", Sector.MEDTECH),
    ("Demo Analyse", "71.200", Sector.DIAGNOSTICS),
    ("Demo Programvare", "58.290", Sector.EHEALTH),
)
# (user category, share of bookings, price tier, price per hour)
MIX = (("company", 35), ("internal", 45), ("external", 20))
PRICES = {"company": Decimal("1400"), "internal": Decimal("620"), "external": Decimal("950")}
SLOTS = ((datetime.time(9), 3), (datetime.time(13), 2))


def _fictional_org_number(index: int) -> str:
    """A number that passes the MOD11 check, from a base no demo shares with another; made up."""
    base = 99_990_000 + index * 7
    while True:
        digits = [int(d) for d in f"{base:08d}"]
        remainder = sum(w * d for w, d in zip((3, 2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check < 10:
            return f"{base:08d}{check}"
        base += 1


def demo_companies() -> list[Organisation]:
    """The made-up companies, created or updated (one query to find them, bulk writes)."""
    wanted = {
        _fictional_org_number(index): (f"{name} AS (demodata)", nace)
        for index, (name, nace, _sector) in enumerate(COMPANIES)
    }
    existing = {org.org_number: org for org in Organisation.objects.filter(org_number__in=list(wanted))}
    new = [
        Organisation(
            org_number=number,
            name=name,
            kind=OrganisationKind.COMPANY,
            nace_code=nace,
            register_state=RegisterState.VERIFIED,
            register_note="Demodata: oppdiktet bedrift",
        )
        for number, (name, nace) in wanted.items()
        if number not in existing
    ]
    Organisation.objects.bulk_create(new)
    by_number = {**existing, **{org.org_number: org for org in new}}
    return [by_number[number] for number in wanted]


def _days(today: datetime.date) -> list[datetime.date]:
    first = today - datetime.timedelta(days=DAYS)
    every = (first + datetime.timedelta(days=n) for n in range(DAYS))
    return [day for day in every if is_working_day(day)]


def demo_bookings(*, resources, users: dict, companies: list[Organisation], today: datetime.date) -> int:
    """Completed bookings over the last year; returns how many were made now."""
    company_user = users.get(COMPANY_USER_EMAIL)
    academics = [users[email] for email in ACADEMIC_EMAILS if email in users]
    resources = [
        resource
        for resource in resources
        if resource.facility.status == PublicationStatus.PUBLISHED and resource.facility.open_to_industry
    ]
    if company_user is None or not academics or not resources:
        return 0
    institutions = sorted({resource.facility.institution_id for resource in resources})
    days = _days(today)
    first = datetime.datetime.combine(days[0], datetime.time.min, tzinfo=OSLO)
    taken = set(Booking.objects.filter(resource__in=resources, start__gte=first).values_list("resource_id", "start"))
    new = []
    for resource in sorted(resources, key=lambda r: r.pk):
        seed = zlib.crc32(f"{resource.facility.slug}/{resource.name}".encode())
        chance = 0.08 + (seed % 25) / 100  # 8-32 % of the slots are used
        customers = random.Random(seed).sample(companies, k=min(len(companies), 3 + seed % 6))
        for day in days:
            for slot, (at, hours) in enumerate(SLOTS):
                draw = random.Random(f"{seed}/{day.isoformat()}/{slot}")
                if draw.random() >= chance:
                    continue
                start = datetime.datetime.combine(day, at, tzinfo=OSLO)
                if (resource.pk, start) in taken:
                    continue
                category = draw.choices([c for c, _w in MIX], weights=[w for _c, w in MIX])[0]
                new.append(
                    _booking(resource, category, start, hours, draw, company_user, academics, customers, institutions)
                )
    Booking.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _booking(resource, category, start, hours, draw, company_user, academics, customers, institutions) -> Booking:
    price = PRICES[category]
    net = price * hours
    vat_rate = Decimal("0.25") if category == "company" else Decimal("0")
    vat = (net * vat_rate).quantize(Decimal("0.01"))
    values = {
        "resource": resource,
        "start": start.astimezone(datetime.UTC),
        "end": (start + datetime.timedelta(hours=hours)).astimezone(datetime.UTC),
        "status": BookingStatus.COMPLETED,
        "purpose": BOOKING_PURPOSE,
        "price_unit": "hour",
        "unit_price": price,
        "quantity": Decimal(hours),
        "net_amount": net,
        "vat_rate": vat_rate,
        "vat_amount": vat,
        "total_amount": net + vat,
        "charged_net_amount": net,
        "charged_vat_amount": vat,
        "charged_total_amount": net + vat,
    }
    if category == "company":
        company = draw.choice(customers)
        values.update(
            user=company_user,
            payer_organisation=company,
            payer_name=company.name,
            payer_org_number=company.org_number,
            activity=Activity.ECONOMIC,
            access_model=draw.choice([AccessModel.RENTAL] * 3 + [AccessModel.SERVICE]),
            price_tier=PriceTier.EXTERNAL_ECONOMIC,
        )
    else:
        own = resource.facility.institution_id
        others = [pk for pk in institutions if pk != own] or [own]
        values.update(
            user=draw.choice(academics),
            payer_institution_id=own if category == "internal" else draw.choice(others),
            activity=Activity.NON_ECONOMIC,
            access_model=AccessModel.COLLABORATION if category == "external" else AccessModel.RENTAL,
            price_tier=PriceTier.INTERNAL if category == "internal" else PriceTier.EXTERNAL_NON_ECONOMIC,
        )
    values["blocked_until"] = values["end"]
    return Booking(**values)


def demo_requests(*, facilities, companies: list[Organisation], today: datetime.date) -> int:
    """Industry requests over the last year, each routed to one facility and answered (most within the deadline);
    returns how many were made now."""
    facilities = sorted(
        (f for f in facilities if f.status == PublicationStatus.PUBLISHED and f.open_to_industry), key=lambda f: f.pk
    )
    if not facilities:
        return 0
    emails = [REQUEST_EMAIL.format(number=number) for number in range(REQUESTS)]
    existing = set(IntakeRequest.objects.filter(email__in=emails).values_list("email", flat=True))
    days = _days(today)
    made = []
    for number, email in enumerate(emails):
        if email in existing:
            continue
        draw = random.Random(f"request/{number}")
        company_index = draw.randrange(len(companies))
        company, (_name, _nace, sector) = companies[company_index], COMPANIES[company_index]
        facility = draw.choice(facilities)
        received = datetime.datetime.combine(draw.choice(days[:-10]), datetime.time(10), tzinfo=OSLO)
        answer_days = draw.choices([1, 2, 3, 4, 5, 7, 10], weights=[20, 25, 20, 12, 8, 10, 5])[0]
        accepted = draw.random() < 0.6
        made.append(
            (
                IntakeRequest(
                    status=RequestStatus.ACCEPTED if accepted else RequestStatus.DECLINED,
                    company_name=company.name,
                    org_number=company.org_number,
                    organisation=company,
                    contact_name="Demo Kontakt (fiktiv)",
                    email=email,
                    sector=sector,
                    phase=draw.choice(list(Phase)),
                    description=REQUEST_DESCRIPTION,
                    preferred_facility=facility,
                    preferred_institution_id=facility.institution_id,
                    institution_id=facility.institution_id,
                    consent_to_share=True,
                    confirmed_at=received,
                ),
                facility,
                received,
                add_working_days(received, answer_days),
                accepted,
            )
        )
    if not made:
        return 0
    requests = IntakeRequest.objects.bulk_create([request for request, *_rest in made])
    for request, (_request, _facility, received, _answered, _accepted) in zip(requests, made, strict=True):
        request.created_at = received
    IntakeRequest.objects.bulk_update(requests, ["created_at"])
    routings = Routing.objects.bulk_create(
        [
            Routing(
                request=request,
                facility=facility,
                status=RoutingStatus.ACCEPTED if accepted else RoutingStatus.DECLINED,
                decided_at=answered,
                decided_label="Demo Leder (fiktiv)",
                decline_reason="" if accepted else "no_capacity",
            )
            for request, (_request, facility, _received, answered, accepted) in zip(requests, made, strict=True)
        ]
    )
    for routing, (_request, _facility, received, _answered, _accepted) in zip(routings, made, strict=True):
        routing.routed_at = received
    Routing.objects.bulk_update(routings, ["routed_at"])
    return len(requests)


@transaction.atomic
def load_demo_statistics(*, resources, users: dict, today: datetime.date | None = None) -> dict:
    """Companies, bookings and requests for the statistics, then the figures of the years they touch."""
    today = today or timezone.localdate()
    resources = list(resources)
    companies = demo_companies()
    bookings = demo_bookings(resources=resources, users=users, companies=companies, today=today)
    facilities = {resource.facility.pk: resource.facility for resource in resources}.values()
    requests = demo_requests(facilities=list(facilities), companies=companies, today=today)
    for year in sorted({today.year - 1, today.year}):
        services.statistics_rebuild(year=year)
    return {"companies": len(companies), "bookings": bookings, "requests": requests}


def on_demo_register_loaded(sender, resources=(), with_demo_users=False, users=None, **kwargs):
    """The demo needs its accounts (bookings have a person), so only with --with-demo-users."""
    if with_demo_users and users:
        load_demo_statistics(resources=resources, users=users)
