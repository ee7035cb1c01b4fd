"""The one write of the statistics: rebuild a year's aggregates and published figures from the source data.

Idempotent: a run replaces the year's rows in one transaction, so running it twice, or after a booking was
corrected, leaves the same tables as one run over the data as it is. Celery beat runs it for the current and the
previous year (reporting.tasks); `manage.py statistics_rebuild --year` runs it by hand.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, F, Min, Q, Sum
from django.db.models.functions import Coalesce, ExtractQuarter
from django.utils import timezone

from accounting.selectors import OSLO, chargeable_bookings, year_bounds
from accounts.choices import OrganisationKind, RegisterState
from accounts.models import Organisation
from booking.choices import BookingStatus
from booking.models import Booking
from catalogue.choices import PublicationStatus
from catalogue.models import Facility, Institution, Resource
from core.working_days import add_working_days, working_days_between
from intake.choices import NOT_YET_IN_QUEUE, CloseReason, RequestStatus, RoutingStatus
from intake.models import IntakeRequest, Routing
from pricing import selectors as pricing_selectors
from reporting import compute, nace
from reporting.choices import UserCategory
from reporting.models import PublishedCell, UseAggregate

# A request closed for one of these reasons was never a real request for access.
NOT_A_REQUEST = (CloseReason.SPAM, CloseReason.DUPLICATE, CloseReason.UNCONFIRMED)
# The moves that answer the requester: more information asked, declined, accepted, closed (referred elsewhere).
ANSWERING_STATUSES = (RequestStatus.NEEDS_INFO, RequestStatus.DECLINED, RequestStatus.ACCEPTED, RequestStatus.CLOSED)


def statistics_rebuild(*, year: int, now: datetime.datetime | None = None) -> int:
    """Replace `year`'s UseAggregate and PublishedCell rows; returns the number of published cells."""
    now = now or timezone.now()
    use_rows = use_aggregates_compute(year=year)
    facilities = _facilities()
    institutions = dict(Institution.objects.values_list("slug", "region"))
    company_ids = {row.organisation_id for row in use_rows if row.organisation_id}
    sectors = {
        pk: nace.section_of(code)
        for pk, code in Organisation.objects.filter(pk__in=company_ids).values_list("pk", "nace_code")
    }
    cells = compute.cells_compute(
        facilities=facilities,
        institutions=institutions,
        use_rows=use_rows,
        capacities=_capacities(year),
        sectors=sectors,
        request_rows=request_rows_compute(year=year, now=now),
    )
    with transaction.atomic():
        UseAggregate.objects.filter(year=year).delete()
        UseAggregate.objects.bulk_create(
            [
                UseAggregate(
                    year=year,
                    quarter=row.quarter,
                    resource_id=row.resource_id,
                    facility_id=row.facility_id,
                    category=row.category,
                    organisation_id=row.organisation_id,
                    access_model=row.access_model,
                    bookings=row.bookings,
                    hours=row.hours,
                    revenue=row.revenue,
                )
                for row in use_rows
            ],
            batch_size=2000,
        )
        PublishedCell.objects.filter(year=year).delete()
        PublishedCell.objects.bulk_create(
            [
                PublishedCell(
                    year=year,
                    quarter=cell.quarter,
                    dimension=cell.dimension,
                    member=cell.member,
                    breakdown=cell.breakdown,
                    figures=_json_ready(cell.figures),
                    computed_at=now,
                )
                for cell in cells
            ],
            batch_size=1000,
        )
    return len(cells)


def _json_ready(figures: dict) -> dict:
    """Decimals as strings (exact), the rest as it is."""
    return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in figures.items()}


def use_aggregates_compute(*, year: int) -> list[compute.UseRow]:
    """Completed bookings (count and hours) and charged revenue of companies, per quarter, resource, category,
    company and access model: two aggregate queries over the year's bookings."""
    start, end = year_bounds(year)
    quarter = ExtractQuarter("start", tzinfo=OSLO)
    completed = (
        Booking.objects.filter(status=BookingStatus.COMPLETED, start__gte=start, start__lt=end)
        .annotate(quarter_of_start=quarter)
        .values(
            "quarter_of_start",
            "resource_id",
            "resource__facility_id",
            "resource__facility__institution_id",
            "payer_institution_id",
            "payer_organisation_id",
            "payer_organisation__kind",
            "access_model",
        )
        .annotate(count=Count("id"), duration=Sum(F("end") - F("start"), output_field=DurationField()))
        .order_by()
    )
    totals: dict[tuple, list] = {}
    for row in completed:
        if row["payer_organisation__kind"] == OrganisationKind.COMPANY:
            category, organisation = UserCategory.COMPANY, row["payer_organisation_id"]
        elif row["payer_institution_id"] and row["payer_institution_id"] == row["resource__facility__institution_id"]:
            category, organisation = UserCategory.INTERNAL, None
        else:
            category, organisation = UserCategory.EXTERNAL, None
        key = (
            row["quarter_of_start"],
            row["resource_id"],
            row["resource__facility_id"],
            str(category),
            organisation,
            row["access_model"],
        )
        entry = totals.setdefault(key, [0, Decimal(0), Decimal(0)])
        entry[0] += row["count"]
        entry[1] += Decimal((row["duration"] or datetime.timedelta(0)).total_seconds()) / 3600
    revenue = (
        chargeable_bookings(facility_ids=Facility.objects.values_list("id", flat=True), start=start, end=end)
        .filter(payer_organisation__kind=OrganisationKind.COMPANY)
        .annotate(quarter_of_start=quarter)
        .values("quarter_of_start", "resource_id", "resource__facility_id", "payer_organisation_id", "access_model")
        .annotate(amount=Sum("net"))
        .order_by()
    )
    for row in revenue:
        key = (
            row["quarter_of_start"],
            row["resource_id"],
            row["resource__facility_id"],
            str(UserCategory.COMPANY),
            row["payer_organisation_id"],
            row["access_model"],
        )
        totals.setdefault(key, [0, Decimal(0), Decimal(0)])[2] += row["amount"] or 0
    return [
        compute.UseRow(
            quarter=quarter_number,
            resource_id=resource_id,
            facility_id=facility_id,
            category=category,
            organisation_id=organisation,
            access_model=access_model,
            bookings=bookings,
            hours=compute.rounded(hours),
            revenue=compute.rounded(revenue_amount),
        )
        for (quarter_number, resource_id, facility_id, category, organisation, access_model), (
            bookings,
            hours,
            revenue_amount,
        ) in sorted(totals.items(), key=lambda item: tuple(str(part) for part in item[0]))
    ]


def _facilities() -> dict[int, compute.FacilityInfo]:
    bookable = set(
        Resource.objects.filter(bookable=True, is_active=True).values_list("facility_id", flat=True).distinct()
    )
    return {
        row["id"]: compute.FacilityInfo(
            institution=row["institution__slug"],
            region=row["institution__region"],
            kind=row["kind"],
            open_and_bookable=(
                row["status"] == PublicationStatus.PUBLISHED and row["open_to_industry"] and row["id"] in bookable
            ),
        )
        for row in Facility.objects.values(
            "id", "kind", "status", "open_to_industry", "institution__slug", "institution__region"
        )
    }


def _capacities(year: int) -> dict[int, tuple[int, Decimal]]:
    """{resource id: (facility id, yearly capacity hours)} of bookable active resources with a known capacity
    (pricing's cost base for the year, counted in hours)."""
    resources = list(Resource.objects.filter(bookable=True, is_active=True).only("id", "facility_id"))
    hours = pricing_selectors.annual_capacity_hours_for_resources(resources=resources, year=year)
    return {
        resource.id: (resource.facility_id, Decimal(hours[resource.id]))
        for resource in resources
        if hours.get(resource.id)
    }


def request_rows_compute(*, year: int, now: datetime.datetime) -> list[compute.RequestRow]:
    """The industry requests received in `year` (in a queue: confirmed, not spam or a duplicate), with where
    they belong and their first answer."""
    start, end = year_bounds(year)
    requests = (
        IntakeRequest.objects.exclude(status__in=NOT_YET_IN_QUEUE)
        .exclude(close_reason__in=NOT_A_REQUEST)
        .annotate(received=Coalesce("confirmed_at", "created_at"))
        .filter(received__gte=start, received__lt=end)
        .annotate(
            first_routing_answer=Min("routings__decided_at"),
            first_status_answer=Min("events__created_at", filter=Q(events__to_status__in=ANSWERING_STATUSES)),
        )
        .values(
            "id",
            "organisation_id",
            "organisation__register_state",
            "received",
            "institution__slug",
            "preferred_institution__slug",
            "first_routing_answer",
            "first_status_answer",
        )
    )
    requests = list(requests)
    routings: dict[int, list] = {}
    accepted: set[int] = set()
    for request_id, slug, kind, status in Routing.objects.filter(
        request_id__in=[request["id"] for request in requests]
    ).values_list("request_id", "facility__institution__slug", "facility__kind", "status"):
        routings.setdefault(request_id, []).append((slug, kind))
        if status == RoutingStatus.ACCEPTED:
            accepted.add(request_id)
    working_days = settings.INTAKE_RESPONSE_WORKING_DAYS
    rows = []
    for request in requests:
        received = request["received"]
        answers = [moment for moment in (request["first_routing_answer"], request["first_status_answer"]) if moment]
        first_answer = min(answers) if answers else None
        deadline = add_working_days(received, working_days)
        if first_answer is not None:
            within = first_answer <= deadline
        else:
            within = False if now > deadline else None
        places = tuple(sorted(set(routings.get(request["id"], ()))))
        if not places:
            slug = request["institution__slug"] or request["preferred_institution__slug"]
            places = ((slug, ""),) if slug else ()
        rows.append(
            compute.RequestRow(
                request_id=request["id"],
                quarter=(timezone.localtime(received, OSLO).month - 1) // 3 + 1,
                # A company counts as itself only as a registered organisation that Brønnøysundregistrene verified;
                # every request with a typed number only counts together as one company (compute.UNVERIFIED): made-up
                # numbers cost nothing and could otherwise lift a cell over the confidentiality threshold.
                company=(
                    request["organisation_id"]
                    if request["organisation__register_state"] == RegisterState.VERIFIED
                    else compute.UNVERIFIED
                ),
                places=places,
                answered=first_answer is not None,
                accepted=request["id"] in accepted,
                working_days_to_first_answer=(
                    working_days_between(received, first_answer) if first_answer is not None else None
                ),
                within_deadline=within,
            )
        )
    return rows
