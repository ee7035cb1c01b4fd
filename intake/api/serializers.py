from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation
from booking.choices import Frequency
from catalogue.choices import PublicationStatus
from catalogue.models import Category, Facility, Institution
from core.api import ApiDateTimeField
from core.validators import normalise_org_number, validate_org_number
from intake import policies
from intake.choices import (
    AgreementType,
    CloseReason,
    DeclineReason,
    ProposalKind,
    QuoteUnit,
    ReferralKind,
    RequesterDecision,
)
from intake.models import ApiClient, IntakeRequest, Referral, RequestEvent, RequestMessage, Routing, WebhookDelivery


class RequestEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = RequestEvent
        fields = ["from_status", "to_status", "by", "at", "reason"]


class RequestMessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label")

    class Meta:
        model = RequestMessage
        fields = ["id", "author_role", "author", "body", "internal", "routing", "created_at"]


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = ["kind", "name", "contact", "note", "created_at"]


class RoutingSerializer(serializers.ModelSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    agreement_template = serializers.StringRelatedField(help_text=_("The agreement that comes with the proposal."))
    facility_name = serializers.CharField(source="facility.name", read_only=True)

    class Meta:
        model = Routing
        fields = [
            "id",
            "facility",
            "facility_name",
            "status",
            "routed_at",
            "decided_at",
            "decline_reason",
            "decline_comment",
            "proposal_kind",
            "agreement_type",
            "proposal_text",
            "booking_id",
            "quote_amount",
            "agreement_template",
            "resource",
            "quantity",
            "unit",
            "slot_start",
            "slot_end",
            "series_frequency",
            "series_count",
            "requester_decision",
            "agreement",
            "series",
            "service_order",
            "collaboration_agreement",
        ]


class IntakeRequestSerializer(serializers.ModelSerializer):
    """The request as the API shows and accepts it. Facilities are given by slug, institutions by short name or
    slug, categories by slug."""

    preferred_institution = serializers.SlugRelatedField(
        slug_field="slug", queryset=Institution.objects.all(), required=False, allow_null=True
    )
    preferred_facility = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Facility.objects.filter(status=PublicationStatus.PUBLISHED),
        required=False,
        allow_null=True,
    )
    preferred_category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True
    )
    consent_to_share = serializers.BooleanField()
    org_number = serializers.CharField(
        max_length=20, required=False, help_text=_("9 digits; spaces are allowed. Required without on_behalf_of.")
    )
    company_name = serializers.CharField(max_length=200, required=False, help_text=_("Required without on_behalf_of."))
    on_behalf_of = serializers.SlugRelatedField(
        slug_field="org_number",
        queryset=Organisation.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_(
            "For a cluster's or TTO's staff (personal token): the organisation number of the member company the "
            "request is for; its registered name and number are used. An organisation key gives org_number instead."
        ),
    )
    history = RequestEventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = IntakeRequest
        fields = [
            "id",
            "status",
            *IntakeRequest.REQUESTER_FIELDS,
            "organisation",
            "sent_by_organisation",
            "on_behalf_of",
            "language",
            "deadline_at",
            "created_at",
            "history",
        ]
        read_only_fields = [
            "id", "status", "organisation", "sent_by_organisation", "deadline_at", "created_at", "history"
        ]  # fmt: skip

    def validate_org_number(self, value):
        compact = normalise_org_number(value)
        validate_org_number(compact)
        return compact

    def validate(self, attrs):
        member = attrs.get("on_behalf_of")
        if member is not None:  # the member company's registered name and number
            attrs["company_name"], attrs["org_number"] = member.name, member.org_number or ""
        missing = {
            name: [_("This field is required.")] for name in ("company_name", "org_number") if not attrs.get(name)
        }
        if missing and self.instance is None:
            raise serializers.ValidationError(missing)
        return attrs


class IntakeRequestListSerializer(IntakeRequestSerializer):
    class Meta(IntakeRequestSerializer.Meta):
        fields = [f for f in IntakeRequestSerializer.Meta.fields if f != "history"]


def _actor(context):
    request = context.get("request")
    if request is None:
        return None
    return request.auth if isinstance(request.auth, ApiClient) else request.user


class IntakeRequestDetailSerializer(IntakeRequestSerializer):
    """With the messages and routings the caller may read (intake.policies: a facility sees only its own routing
    and proposal; the requester never sees internal notes)."""

    messages = serializers.SerializerMethodField()
    routings = serializers.SerializerMethodField()
    referrals = ReferralSerializer(many=True, read_only=True)

    class Meta(IntakeRequestSerializer.Meta):
        fields = [*IntakeRequestSerializer.Meta.fields, "messages", "routings", "referrals"]

    @extend_schema_field(RequestMessageSerializer(many=True))
    def get_messages(self, obj):
        visible = policies.visible_messages(_actor(self.context), obj, obj.messages.all())
        return RequestMessageSerializer(visible, many=True, context=self.context).data

    @extend_schema_field(RoutingSerializer(many=True))
    def get_routings(self, obj):
        visible = policies.visible_routings(_actor(self.context), obj, obj.routings.all())
        return RoutingSerializer(visible, many=True, context=self.context).data


class MessageInputSerializer(serializers.Serializer):
    message = serializers.CharField()


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RouteInputSerializer(serializers.Serializer):
    facilities = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Facility.objects.filter(status=PublicationStatus.PUBLISHED),
        many=True,
        allow_empty=False,
        help_text=_("Facility slugs."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    routing = serializers.IntegerField(
        required=False, help_text=_("For a facility manager: the routing being declined (default: your only one).")
    )


class DecideInputSerializer(serializers.Serializer):
    routing = serializers.IntegerField(help_text=_("The id of the facility's routing whose proposal you answer."))
    decision = serializers.ChoiceField(choices=RequesterDecision.choices)


class ReferInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReferralKind.choices)
    name = serializers.CharField(max_length=200)
    contact = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignInputSerializer(serializers.Serializer):
    institution = serializers.SlugRelatedField(
        slug_field="slug", queryset=Institution.objects.all(), help_text=_("Institution slug.")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CloseInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptInputSerializer(serializers.Serializer):
    routing = serializers.IntegerField(required=False)
    proposal_kind = serializers.ChoiceField(choices=ProposalKind.choices)
    agreement_type = serializers.ChoiceField(
        choices=AgreementType.choices, required=False, allow_blank=True, default=""
    )
    proposal_text = serializers.CharField(required=False, allow_blank=True, default="")
    booking_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    quote_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    # With an amount: what it covers (quantity x unit of a resource of the facility); the amount is checked against
    # full cost plus the minimum margin of that (400 `below_full_cost` on quote_amount).
    quote_quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=Decimal("0.01")
    )
    quote_unit = serializers.ChoiceField(choices=QuoteUnit.choices, required=False, allow_blank=True, default="")
    quote_resource = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    # A booking proposal: the time of the (first) booking of quote_resource, with a UTC offset; a series repeats it.
    slot_start = ApiDateTimeField(required=False, allow_null=True, default=None, require_offset=True)
    slot_end = ApiDateTimeField(required=False, allow_null=True, default=None, require_offset=True)
    series_frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, allow_blank=True, default="")
    series_count = serializers.IntegerField(required=False, allow_null=True, min_value=2, max_value=200, default=None)


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.URLField(allow_blank=True)


class WebhookUrlSerializer(serializers.Serializer):
    url = serializers.URLField(allow_blank=True)


class WebhookSerializer(WebhookUrlSerializer):
    secret = serializers.CharField(read_only=True, help_text="Only in the answer to PUT.")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "request",
            "url",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
