"""Booking API serializers: parse and render only; the rules live in booking.services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from booking.choices import Activity, ChargeState, ConflictMode, Frequency
from booking.models import Booking, ServiceOrder
from catalogue.choices import AccessModel
from core.api import ApiDateTimeField, JsonStringField
from core.db import MAX_ID
from pricing.choices import TermsReason, VatCategory
from pricing.terms import REASON_BY_TIER


class OneBookingSerializer(serializers.Serializer):
    """A request for one booking, in its own class so that a single booking validates only its own fields."""

    resource = serializers.IntegerField()
    start = ApiDateTimeField(require_offset=True)
    end = ApiDateTimeField(require_offset=True)
    access_model = serializers.ChoiceField(
        choices=AccessModel.choices,
        help_text="What the use is. Rental, service and commissioned research outside the owning institution are "
        "economic; collaboration research needs an approved collaboration agreement that names you.",
    )
    activity = serializers.ChoiceField(
        choices=Activity.choices,
        required=False,
        help_text="Optional and never decisive: the server decides the activity from verified facts. Named, it "
        "must be the one you have, else 400 `activity_not_allowed` on this field.",
    )
    collaboration_agreement = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of an approved collaboration agreement that names you (collaboration research only); "
        "left out, the latest that covers you applies.",
    )
    purpose = JsonStringField(required=False, allow_blank=True, default="", max_length=2000)
    organisation = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="The id of an organisation you are an approved member of, to book on its account (403 "
        "`not_a_member` otherwise); without it the payer is your organisation, your verified institution or you.",
    )  # fmt: skip


SERIES_FIELDS = ("repeat", "until", "count", "mode")


class BookingCreateSerializer(OneBookingSerializer):
    """A request for one booking or a series: weekly or daily, until a date or for a number of occurrences."""

    repeat = serializers.ChoiceField(choices=Frequency.choices, required=False)
    until = serializers.DateField(required=False)
    count = serializers.IntegerField(required=False, min_value=1, max_value=200)
    mode = serializers.ChoiceField(choices=ConflictMode.choices, required=False, default=ConflictMode.ALL_OR_NOTHING)


def price_reason(tier: str) -> str:
    """Why a booking pays its tier, in words (pricing.terms.REASON_BY_TIER); empty without a price."""
    reason = REASON_BY_TIER.get(tier)
    return str(TermsReason(reason).label) if reason else ""


class BookingSerializer(serializers.ModelSerializer):
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    price_reason = serializers.SerializerMethodField(help_text="Why the booking pays its tier, in words.")
    facility = serializers.IntegerField(source="resource.facility_id", read_only=True)
    # Empty for a booking without a price (DRF drops `allow_blank` from read-only fields, so the schema needs it here).
    vat_category = serializers.ChoiceField(
        choices=VatCategory.choices,
        allow_blank=True,
        read_only=True,
        help_text="EN 16931 VAT category of the price; empty when the booking has no price.",
    )
    charge_state = serializers.ChoiceField(
        choices=ChargeState.choices,
        read_only=True,
        help_text="`not_yet_chargeable` while pending or confirmed (the charged_* amounts are empty), `chargeable` "
        "once its use is recorded or it was cancelled late (charged_* go to the invoice basis), `not_charged` "
        "otherwise.",
    )

    class Meta:
        model = Booking
        fields = [
            "id", "resource", "resource_name", "facility", "start", "end", "status", "activity", "access_model",
            "purpose", "payer_name", "payer_org_number", "payer_institution", "payer_organisation",
            "collaboration_agreement", "price_tier", "price_reason", "price_unit", "unit_price", "quantity",
            "net_amount", "vat_rate", "vat_amount", "total_amount", "vat_category", "vat_reason_code", "vat_reason",
            "currency",
            "price_list_id", "charged_net_amount", "charged_vat_amount", "charged_total_amount", "expires_at",
            "decision_reason", "recurrence_group", "created_at", "charge_state",
        ]  # fmt: skip
        read_only_fields = fields

    def get_price_reason(self, booking) -> str:
        return price_reason(booking.price_tier)


class SkippedOccurrenceSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    code = serializers.CharField(help_text="The rule that refused the occurrence, e.g. `slot_taken`.")
    detail = serializers.CharField()


class BookingSeriesSerializer(serializers.Serializer):
    """The answer to a series (`repeat`): the bookings made, and the occurrences skipped with the reason."""

    recurrence_group = serializers.UUIDField()
    bookings = BookingSerializer(many=True)
    skipped = SkippedOccurrenceSerializer(many=True)


class ManagerBookingSerializer(BookingSerializer):
    user_name = serializers.SerializerMethodField()
    user_email = serializers.EmailField(source="user.email", read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "user", "user_name", "user_email"]
        read_only_fields = fields

    def get_user_name(self, booking) -> str:
        return booking.user.get_full_name()


class ReasonSerializer(serializers.Serializer):
    reason = JsonStringField(required=False, allow_blank=True, default="", max_length=2000)


class CancelSerializer(ReasonSerializer):
    charge = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Managers only: the user asked to cancel after the deadline, so the late charge applies. "
        "Without it a manager's cancellation is free (the facility's own reasons).",
    )


class UseAdjustSerializer(serializers.Serializer):
    """The time a booking was actually used: `used_minutes` from its start, or the `end` of the use; not both."""

    used_minutes = serializers.IntegerField(required=False, min_value=1, max_value=366 * 24 * 60)
    end = ApiDateTimeField(require_offset=True, required=False)
    reason = JsonStringField(max_length=2000, help_text="Why the used time differs from the booked time.")

    def validate(self, attrs):
        if ("used_minutes" in attrs) == ("end" in attrs):
            raise serializers.ValidationError(
                {"used_minutes": [_("Give either used_minutes or end, not both.")]}, code="required"
            )
        return attrs


class BulkDecisionSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=500
    )
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = JsonStringField(required=False, allow_blank=True, default="", max_length=2000)


class MoveSerializer(serializers.Serializer):
    start = ApiDateTimeField(require_offset=True)
    end = ApiDateTimeField(require_offset=True)
    reason = JsonStringField(required=False, allow_blank=True, default="", max_length=2000)


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


# Response shapes, for the OpenAPI schema (the views build these answers directly, without a serializer pass).


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    alternatives = IntervalSerializer(many=True, help_text="The free slots nearest to the one asked for.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="The rule that was broken, e.g. `min_notice` or `opening_hours`.")


class BookedInSerializer(serializers.Serializer):
    system = serializers.ChoiceField(
        choices=["labtorget", "local"], help_text="`local`: booked in the facility's own system, at `url`."
    )
    name = serializers.CharField()
    url = serializers.URLField(allow_null=True)


class ExternalCalendarStateSerializer(serializers.Serializer):
    last_updated = serializers.DateTimeField(
        allow_null=True, help_text="The oldest of the feeds' last successful reads."
    )
    stale = serializers.BooleanField()


class AvailabilitySerializer(serializers.Serializer):
    resource = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = IntervalSerializer(many=True)
    busy = IntervalSerializer(
        many=True, help_text="Booked, closed, buffer or external calendar time; never who booked it or why."
    )
    booked_in = BookedInSerializer()
    external_calendars = ExternalCalendarStateSerializer(
        allow_null=True, help_text="Null when the resource has no external calendar."
    )


class FreeWindowSerializer(serializers.Serializer):
    resource = serializers.IntegerField()
    name = serializers.CharField()
    facility = serializers.CharField()
    institution = serializers.CharField()
    earliest = IntervalSerializer(help_text="The earliest free window of the asked duration.")
    booked_in = BookedInSerializer()


class FreeCapacitySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    duration = serializers.CharField()
    count = serializers.IntegerField()
    results = FreeWindowSerializer(many=True)


class ServiceOrderSerializer(serializers.ModelSerializer):
    """Staff-run work at an agreed price. `ordered`: not chargeable yet; `delivered`: on the invoice basis at its
    amounts, for its payer; `cancelled`: never charged."""

    resource_name = serializers.CharField(source="resource.name", read_only=True)
    facility = serializers.IntegerField(source="resource.facility_id", read_only=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "id", "resource", "resource_name", "facility", "status", "access_model", "activity", "description",
            "reference", "payer_name", "payer_org_number", "payer_institution", "payer_organisation", "price_tier",
            "price_unit", "unit_price", "quantity", "net_amount", "vat_rate", "vat_amount", "total_amount",
            "currency", "vat_category", "vat_reason_code", "vat_reason", "collaboration_agreement", "created_at",
            "delivered_at", "cancelled_at", "note",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceOrderNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
