"""Booking API: parse input, call one service or selector, render. Rules live in booking.services."""

import datetime
import hashlib
import json
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime, parse_duration
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import policies, selectors, services
from booking.api.serializers import (
    SERIES_FIELDS,
    AvailabilitySerializer,
    BookingCreateSerializer,
    BookingSerializer,
    BookingSeriesSerializer,
    BulkDecisionSerializer,
    CancelSerializer,
    ConflictSerializer,
    ErrorSerializer,
    FreeCapacitySerializer,
    ManagerBookingSerializer,
    MoveSerializer,
    OneBookingSerializer,
    ReasonSerializer,
    ServiceOrderNoteSerializer,
    ServiceOrderSerializer,
    UseAdjustSerializer,
    price_reason,
)
from booking.filtersets import BookingFilterSet
from booking.models import Booking, IdempotencyRecord, ServiceOrder
from calendars import selectors as calendar_selectors
from catalogue import policies as catalogue_policies
from catalogue import roles
from catalogue.models import Category, Institution, Resource
from core.api import exception_handler
from core.dates import iso_utc
from core.db import MAX_ID
from core.errors import ConflictError, DomainError
from core.policies import require_visible

MAX_WINDOW = datetime.timedelta(days=62)
MAX_DISTANCE = datetime.timedelta(days=3660)
MAX_RESOURCES = 500  # resources in one answer of the free-capacity search


def _interval_list(intervals) -> list[dict]:
    return [{"start": iso_utc(s), "end": iso_utc(e)} for s, e in intervals]


def parse_period(params, *, default_days: int = 7) -> tuple[datetime.datetime, datetime.datetime]:
    """`start` and `end` query parameters as aware datetimes, with a clear 400 naming the field."""
    values = {}
    for name in ("start", "end"):
        raw = params.get(name)
        if not raw:
            values[name] = None
            continue
        try:
            parsed = parse_datetime(raw.replace(" ", "+"))
        except ValueError:  # well-formed but impossible, such as 30 February
            raise DomainError(_("Not a valid date or time."), field=name, code="invalid") from None
        if parsed is None:
            try:
                parsed = datetime.datetime.combine(datetime.date.fromisoformat(raw), datetime.time())
            except ValueError:
                raise DomainError(_("Not a valid date or time."), field=name, code="invalid") from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)  # a time without offset is read as Norwegian time
        if abs(parsed - timezone.now()) > MAX_DISTANCE:
            raise DomainError(_("Ask for a period within ten years from now."), field=name, code="out_of_range")
        values[name] = parsed
    start = values["start"] or timezone.now()
    end = values["end"] or start + datetime.timedelta(days=default_days)
    if end <= start:
        raise DomainError(_("The end must be after the start."), field="end", code="end_before_start")
    if end - start > MAX_WINDOW:
        raise DomainError(_("Ask for at most 62 days at a time."), field="end", code="window_too_long")
    return start, end


# The booking rules the input checks already catch, answered with the code the service gives for the same rule
# (docs/booking.md lists them), keyed by field and DRF's error code; fields in the order a user meets them.
_INPUT_RULE_CODES = {
    "start": {"naive": "naive_time"},
    "end": {"naive": "naive_time"},
    "activity": {"invalid_choice": "invalid_activity"},
    "access_model": {"invalid_choice": "invalid_access_model"},
    "repeat": {"invalid_choice": "invalid_frequency"},
    "until": {},
    "count": {"min_value": "invalid_count", "max_value": "series_too_long"},
    "mode": {"invalid_choice": "invalid_mode"},
}


def _refusal_with_code(errors: dict) -> ValidationError:
    """The serializer's errors by field, with `detail` and `code` as a broken booking rule has them."""
    for name in (*_INPUT_RULE_CODES, *errors):
        if name in errors and isinstance(errors[name], list) and errors[name]:
            first = errors[name][0]
            code = _INPUT_RULE_CODES.get(name, {}).get(getattr(first, "code", None), "invalid")
            return ValidationError({**errors, "detail": str(first), "code": code})
    return ValidationError(errors)


def _fingerprint(request) -> str:
    return hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()


_PERIOD = [
    OpenApiParameter("start", OpenApiTypes.DATETIME, description="ISO 8601 with offset; default now"),
    OpenApiParameter("end", OpenApiTypes.DATETIME, description="ISO 8601 with offset; at most 62 days after start"),
]
_REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="A rule was broken: `code` names it, a field key the input."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
    409: OpenApiResponse(ConflictSerializer, description="The slot is taken or the state does not allow this."),
}


def _action_schema(request_serializer, summary):
    return extend_schema(summary=summary, request=request_serializer, responses={200: BookingSerializer, **_REFUSED})


@extend_schema_view(
    list=extend_schema(summary="Your bookings; managers also see their facilities' bookings"),
    retrieve=extend_schema(summary="One booking", responses={200: BookingSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        summary="Book a slot",
        description=(
            "First come, first served: the first request stored for a slot wins. Resources that need approval "
            "answer `pending` (the slot is held until a manager decides), the others `confirmed`. Send an "
            "`Idempotency-Key` header to retry safely: a retry with the same key and body returns the first "
            "answer (header `Idempotent-Replayed: true`), the same key with another body gets 422. Add "
            "`repeat` (`daily`/`weekly`) with `until` or `count` for a series; `mode` is `all_or_nothing` or "
            "`skip_conflicts`."
        ),
        request=BookingCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, description="Any unique string up to 200 characters"
            )
        ],
        responses={
            201: PolymorphicProxySerializer(
                component_name="BookingCreated",
                serializers=[BookingSerializer, BookingSeriesSerializer],
                resource_type_field_name=None,
            ),
            **_REFUSED,
            422: ErrorSerializer,
        },
    ),
    approve=_action_schema(ReasonSerializer, "Approve a pending request (managers)"),
    reject=_action_schema(ReasonSerializer, "Reject a pending request with a reason (managers)"),
    cancel=_action_schema(
        CancelSerializer,
        "Cancel a booking: free before the resource's cancellation deadline, charged after it "
        "(`charged_total_amount` in the answer)",
    ),
    move=_action_schema(MoveSerializer, "Move a booking to another time (managers)"),
    complete=_action_schema(
        None,
        "Record that a booking took place, at its booked price (managers): a confirmed booking once it has started "
        "(ended ones are completed on their own), or a no-show within the correction window",
    ),
    no_show=_action_schema(
        ReasonSerializer,
        "Record that the user did not turn up (managers): after the start, until BOOKING_USE_ADJUSTMENT_WORKING_DAYS "
        "working days after the end (409 `use_window_closed` after that); the booked price is charged",
    ),
    adjust_use=_action_schema(
        UseAdjustSerializer,
        "Record the time actually used, with a reason (managers): the booking is completed and priced again for "
        "the used time, within the correction window (409 `use_window_closed` after it)",
    ),
    decide=extend_schema(
        summary="Approve or reject many pending requests at once (managers)",
        request=BulkDecisionSerializer,
        responses={200: BookingSerializer(many=True), **_REFUSED},
    ),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Own bookings, and the bookings of facilities the user manages (filter with ?facility=, ?status=, ...)."""

    permission_classes = [IsAuthenticated]
    filterset_class = BookingFilterSet
    lookup_value_regex = r"[0-9]+"  # /bookings/abc/ is a plain 404, not a failed database lookup

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Booking.objects.none()
        return selectors.visible_bookings(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return BookingCreateSerializer
        if self.action == "list" and roles.managed_facility_ids(self.request.user):
            return ManagerBookingSerializer  # managers see who booked at their facilities
        return BookingSerializer

    def get_object(self):
        """The booking, if the user may see it; someone else's booking is a 404, as a missing one."""
        booking = get_object_or_404(Booking.objects.select_related("resource__facility", "user"), pk=self.kwargs["pk"])
        require_visible(policies.can_view_booking, self.request.user, booking)
        return booking

    def retrieve(self, request, *args, **kwargs):
        booking = self.get_object()
        serializer_class = (
            ManagerBookingSerializer if policies.can_decide_booking(request.user, booking) else BookingSerializer
        )
        return Response(serializer_class(booking).data)

    def create(self, request, *args, **kwargs):
        """Book a slot. With an Idempotency-Key header a retry gets the first answer, errors included."""
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return self._create(request)
        if len(key) > 200:
            raise DomainError(_("The Idempotency-Key is too long."), field="Idempotency-Key", code="invalid")
        fingerprint = _fingerprint(request)
        stored = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if stored is None:
            try:
                with transaction.atomic():
                    response = self._create(request)
                    IdempotencyRecord.objects.create(
                        user=request.user, key=key, request_fingerprint=fingerprint,
                        status_code=response.status_code, body=response.data,
                    )  # fmt: skip
                    return response
            except IntegrityError:
                stored = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
                if stored is None:
                    raise
            except Exception as error:  # a refused request: store the answer, then give it
                response = exception_handler(error, {"request": request, "view": self})
                if response is None:
                    raise
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            user=request.user, key=key, request_fingerprint=fingerprint,
                            status_code=response.status_code, body=response.data,
                        )  # fmt: skip
                except IntegrityError:
                    stored = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
                if stored is None:
                    return response
        if stored.request_fingerprint != fingerprint:
            return Response(
                {"detail": _("This Idempotency-Key was used for a different request."), "code": "idempotency_mismatch"},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})

    def _create(self, request):
        data = request.data
        series = isinstance(data, dict) and any(name in data for name in SERIES_FIELDS)
        serializer = (BookingCreateSerializer if series else OneBookingSerializer)(data=data)
        if not serializer.is_valid():
            raise _refusal_with_code(serializer.errors)
        data = serializer.validated_data
        resource = selectors.resource_to_book(data["resource"])
        if resource is None or not catalogue_policies.can_view_facility(request.user, resource.facility):
            raise DomainError(_("No such resource."), field="resource", code="not_found")  # a draft's too
        fields = {
            "resource": resource, "user": request.user, "start": data["start"], "end": data["end"],
            "access_model": data["access_model"], "purpose": data["purpose"], "activity": data.get("activity"),
            "collaboration_agreement": data.get("collaboration_agreement"),
        }  # fmt: skip
        if data.get("repeat"):
            result = services.booking_series_create(
                **fields, frequency=data["repeat"], until=data.get("until"), count=data.get("count"),
                mode=data["mode"], organisation=data.get("organisation"),
            )  # fmt: skip
            if not result.created:  # every occurrence was skipped: a conflict that says so, with the reasons
                raise ConflictError(
                    _("No occurrence of the series could be booked."),
                    code="series_not_booked",
                    extra={"recurrence_group": None, "bookings": [], "skipped": result.skipped},
                )
            body = {
                "recurrence_group": str(result.created[0].recurrence_group),
                "bookings": BookingSerializer(result.created, many=True).data,
                "skipped": result.skipped,
            }
            return Response(body, status=status.HTTP_201_CREATED)
        booking = services.booking_create(**fields, organisation=data.get("organisation"))
        return Response(_created_body(booking), status=status.HTTP_201_CREATED)

    def _act(self, request, call):
        """A change to one booking the user may see (else 404): the service decides who may make it (403)."""
        booking = call(self.get_object())
        return Response(BookingSerializer(booking).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        return self._act(
            request,
            lambda b: services.booking_approve(booking=b, actor=request.user, reason=reason.validated_data["reason"]),
        )

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        return self._act(
            request,
            lambda b: services.booking_reject(booking=b, actor=request.user, reason=reason.validated_data["reason"]),
        )

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(
            request,
            lambda b: services.booking_cancel(
                booking=b, actor=request.user, reason=data.validated_data["reason"],
                charge_late=data.validated_data["charge"],
            ),
        )  # fmt: skip

    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        move = MoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        data = move.validated_data
        return self._act(
            request,
            lambda b: services.booking_move(
                booking=b, actor=request.user, start=data["start"], end=data["end"], reason=data["reason"]
            ),
        )

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(request, lambda b: services.booking_complete(booking=b, actor=request.user))

    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        reason = reason.validated_data["reason"]
        return self._act(request, lambda b: services.booking_no_show_mark(booking=b, actor=request.user, reason=reason))

    @action(detail=True, methods=["post"], url_path="adjust-use")
    def adjust_use(self, request, pk=None):
        used = UseAdjustSerializer(data=request.data)
        used.is_valid(raise_exception=True)
        data = used.validated_data

        def adjust(booking):
            end = data.get("end") or booking.start + datetime.timedelta(minutes=data["used_minutes"])
            return services.booking_use_adjust(booking=booking, actor=request.user, end=end, reason=data["reason"])

        return self._act(request, adjust)

    @action(detail=False, methods=["post"])
    def decide(self, request):
        """Approve or reject many pending requests: {"ids": [...], "decision": "approve"|"reject", "reason"}."""
        serializer = BulkDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A booking the user may not see is unknown, as one that does not exist.
        if selectors.visible_bookings(request.user).filter(pk__in=data["ids"]).count() != len(set(data["ids"])):
            raise ValidationError({"ids": [_("Unknown booking.")]})
        decided = services.bookings_decide(
            booking_ids=data["ids"], actor=request.user, approve=data["decision"] == "approve", reason=data["reason"]
        )
        return Response(BookingSerializer(decided, many=True).data)


def _decimal(value, places: int) -> str | None:
    """A stored amount as BookingSerializer writes it: a string with the column's decimal places."""
    return None if value is None else format(Decimal(value).quantize(Decimal(1).scaleb(-places)), "f")


def _created_body(booking: Booking) -> dict:
    """The 201 answer, built from the object in hand (no queries and no serializer on the hot path); the same
    members and values as BookingSerializer gives (tests/booking/test_api.py compares them)."""
    return {
        "id": booking.pk,
        "resource": booking.resource_id,
        "resource_name": booking.resource.name,
        "facility": booking.resource.facility_id,
        "start": iso_utc(booking.start),
        "end": iso_utc(booking.end),
        "status": booking.status,
        "activity": booking.activity,
        "access_model": booking.access_model,
        "purpose": booking.purpose,
        "payer_name": booking.payer_name,
        "payer_org_number": booking.payer_org_number,
        "payer_institution": booking.payer_institution_id,
        "payer_organisation": booking.payer_organisation_id,
        "collaboration_agreement": booking.collaboration_agreement_id,
        "price_tier": booking.price_tier,
        "price_reason": price_reason(booking.price_tier),
        "price_unit": booking.price_unit,
        "unit_price": _decimal(booking.unit_price, 2),
        "quantity": _decimal(booking.quantity, 2),
        "net_amount": _decimal(booking.net_amount, 2),
        "vat_rate": _decimal(booking.vat_rate, 4),
        "vat_amount": _decimal(booking.vat_amount, 2),
        "total_amount": _decimal(booking.total_amount, 2),
        "vat_category": booking.vat_category,
        "vat_reason_code": booking.vat_reason_code,
        "vat_reason": booking.vat_reason,
        "currency": booking.currency,
        "price_list_id": booking.price_list_id,
        "charged_net_amount": _decimal(booking.charged_net_amount, 2),
        "charged_vat_amount": _decimal(booking.charged_vat_amount, 2),
        "charged_total_amount": _decimal(booking.charged_total_amount, 2),
        "expires_at": iso_utc(booking.expires_at) if booking.expires_at else None,
        "decision_reason": booking.decision_reason,
        "recurrence_group": str(booking.recurrence_group) if booking.recurrence_group else None,
        "created_at": iso_utc(booking.created_at),
        "charge_state": booking.charge_state,
    }


class ResourceAvailabilityView(APIView):
    """GET /api/v1/resources/{id}/availability/?start=&end= : free and busy time within opening hours."""

    permission_classes = []

    @extend_schema(
        summary="Free and busy time of one resource",
        description=(
            "Within opening hours, with closures and changeover buffers counted as busy. No free time where you "
            "cannot book the resource (not offered for booking, or its facility is not open to industry)."
        ),
        parameters=_PERIOD,
        responses={200: AvailabilitySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk):
        resource = get_object_or_404(
            Resource.objects.select_related("facility", "booking_policy"), pk=pk, facility__status="published"
        )
        start, end = parse_period(request.query_params)
        availability = selectors.resource_availability(resource=resource, start=start, end=end, user=request.user)
        # Free time is offered only where it can be booked by this user (the same rule as booking it; a resource
        # booked in the facility's local system shows its free time too, booked there).
        free = [] if services.offer_refusal(resource, request.user) else availability["free"]
        policy = getattr(resource, "booking_policy", None)
        feed = calendar_selectors.feed_status_of([resource.pk]).get(resource.pk)
        return Response(
            {
                "resource": resource.pk,
                "start": iso_utc(start),
                "end": iso_utc(end),
                "free": _interval_list(free),
                "busy": _interval_list(availability["busy"]),
                "booked_in": _booked_in_system(policy, ""),
                "external_calendars": None
                if feed is None
                else {
                    "last_updated": iso_utc(feed.last_updated) if feed.last_updated else None,
                    "stale": feed.stale,
                },
            }
        )


def _booked_in_system(policy, url: str) -> dict:
    """Where the resource is booked: here (`labtorget`), or in the facility's local system, with its link."""
    if policy is None or not policy.booked_in_local_system:
        return {"system": "labtorget", "name": "Labtorget", "url": None}
    return {"system": "local", "name": policy.local_system_name, "url": url or selectors.local_booking_link(policy)}


def _booked_in(window) -> dict:
    return _booked_in_system(window.resource.booking_policy, window.local_url)


def _lookup(model, raw, field):
    if raw in (None, ""):
        return None
    raw = str(raw)
    if raw.isdecimal():  # an id (any decimal digits; "¹" is a digit to Python but no number), within the key's range
        found = model.objects.filter(pk=int(raw)).first() if int(raw) <= MAX_ID else None
    else:
        found = model.objects.filter(slug=raw).first()
    if found is None:
        raise DomainError(_("Unknown value."), field=field, code="not_found")
    return found


class FreeCapacityView(APIView):
    """GET /api/v1/availability/?category=&institution=&start=&end=&duration=PT4H : resources with a free window."""

    permission_classes = []

    @extend_schema(
        summary="Free capacity across the country",
        description="Resources with at least one free window of `duration` in the period, each with the earliest.",
        parameters=[
            OpenApiParameter("category", str, description="Category id or slug"),
            OpenApiParameter("institution", str, description="Institution id or slug"),
            *_PERIOD,
            OpenApiParameter("duration", str, description="ISO 8601 duration, e.g. PT4H (default PT1H)"),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_RESOURCES},
                description=f"At most this many resources (1-{MAX_RESOURCES}, default 100)",
            ),
        ],
        responses={200: FreeCapacitySerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        params = request.query_params
        start, end = parse_period(params, default_days=14)
        raw_duration = params.get("duration", "PT1H")
        try:
            duration = parse_duration(raw_duration)
        except (OverflowError, ValueError):
            duration = None
        if duration is None or duration <= datetime.timedelta(0) or duration > MAX_WINDOW:
            raise DomainError(_("Give the duration as ISO 8601, for example PT4H."), field="duration", code="invalid")
        category = _lookup(Category, params.get("category"), "category")
        institution = _lookup(Institution, params.get("institution"), "institution")
        try:
            limit = int(params.get("limit") or 100)
        except ValueError:
            raise DomainError(_("Not a number."), field="limit", code="invalid") from None
        if not 1 <= limit <= MAX_RESOURCES:
            raise DomainError(
                _("Ask for 1 to %(most)d resources.") % {"most": MAX_RESOURCES}, field="limit", code="out_of_range"
            )
        windows = selectors.free_capacity_windows(
            start=start, end=end, duration=duration, category=category, institution=institution,
            user=request.user, limit=limit,
        )  # fmt: skip
        return Response(
            {
                "start": iso_utc(start),
                "end": iso_utc(end),
                "duration": raw_duration,
                "count": len(windows),
                "results": [
                    {
                        "resource": w.resource.pk,
                        "name": w.resource.name,
                        "facility": w.resource.facility.name,
                        "institution": w.resource.facility.institution.name,
                        "earliest": {"start": iso_utc(w.start), "end": iso_utc(w.end)},
                        "booked_in": _booked_in(w),
                    }
                    for w in windows
                ],
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="Your service orders; managers also see their facilities' orders",
        responses={200: ServiceOrderSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="One service order", responses={200: ServiceOrderSerializer, 404: ErrorSerializer}),
    deliver=extend_schema(
        summary="Mark the ordered work delivered (the facility's managers): it becomes chargeable at its price",
        request=ServiceOrderNoteSerializer,
        responses={
            200: ServiceOrderSerializer,
            400: _REFUSED[400],
            403: _REFUSED[403],
            404: OpenApiResponse(ErrorSerializer, description="No such order, or not yours to see."),
            409: OpenApiResponse(ErrorSerializer, description="The order is not `ordered` any more."),
        },
    ),
    cancel=extend_schema(
        summary="Cancel work not yet delivered (the facility's managers): it is never charged",
        request=ServiceOrderNoteSerializer,
        responses={
            200: ServiceOrderSerializer,
            400: _REFUSED[400],
            403: _REFUSED[403],
            404: OpenApiResponse(ErrorSerializer, description="No such order, or not yours to see."),
            409: OpenApiResponse(ErrorSerializer, description="The order is not `ordered` any more."),
        },
    ),
)
class ServiceOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Service orders (staff-run work from an accepted quote): the caller's own and those of facilities they keep."""

    permission_classes = [IsAuthenticated]
    serializer_class = ServiceOrderSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ServiceOrder.objects.none()
        return selectors.visible_service_orders(self.request.user)

    def get_object(self):
        """The order, if the user may see it; someone else's order is a 404, as a missing one."""
        order = get_object_or_404(
            ServiceOrder.objects.select_related("resource__facility", "user"), pk=self.kwargs["pk"]
        )
        require_visible(policies.can_view_service_order, self.request.user, order)
        return order

    def _close(self, request, service):
        note = ServiceOrderNoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        order = service(order=self.get_object(), actor=request.user, note=note.validated_data["note"])
        return Response(ServiceOrderSerializer(order).data)

    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._close(request, services.service_order_deliver)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._close(request, services.service_order_cancel)
