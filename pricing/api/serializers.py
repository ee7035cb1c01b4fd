import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalogue.choices import AccessModel
from core.api import ApiDateTimeField
from core.db import MAX_ID
from pricing import selectors
from pricing.choices import Activity, TermsReason, VatCategory
from pricing.models import CollaborationAgreement, PriceList, PriceListItem

ZERO = Decimal(0)


def _amount(**kwargs):
    return serializers.DecimalField(max_digits=16, decimal_places=4, min_value=ZERO, **kwargs)


class StaffLineInputSerializer(serializers.Serializer):
    annual_salary = _amount()
    social_cost_rate = _amount()
    fte = _amount()
    indirect_rate_per_fte = _amount()


class TdiInputSerializer(serializers.Serializer):
    """Inputs to the TDI calculator. Amounts in NOK per year; rates and shares as fractions (0.25 = 25 %)."""

    area_m2 = _amount()
    area_rate_per_m2 = _amount()
    equipment_cost = _amount()
    depreciation_years = _amount()
    research_council_funded = serializers.BooleanField()
    service_contracts = _amount()
    consumables = _amount()
    other_direct_costs = _amount()
    staff = StaffLineInputSerializer(many=True, allow_empty=True)
    capacity_units = _amount()
    internal_share = serializers.DecimalField(max_digits=8, decimal_places=4, min_value=ZERO, max_value=Decimal(1))
    margin = _amount()

    def validate_capacity_units(self, value):
        if value == 0:
            raise serializers.ValidationError(_("The annual capacity must be more than zero."))
        return value


class BreakdownLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    excluded_from_non_economic = serializers.BooleanField()


class TdiResultSerializer(serializers.Serializer):
    annual_full_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    annual_non_economic_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    full_cost_unit_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    external_non_economic_unit_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    internal_unit_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    external_economic_unit_price = serializers.DecimalField(max_digits=16, decimal_places=2)
    external_economic_unit_price_incl_vat = serializers.DecimalField(max_digits=16, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    currency = serializers.SerializerMethodField()
    breakdown = BreakdownLineSerializer(many=True)

    def get_currency(self, obj) -> str:
        return "NOK"


# A quote is for one booking: it lasts at most a year.
QUOTE_LONGEST = datetime.timedelta(days=366)
QUOTE_MOST_SAMPLES = 100_000


class QuoteQuerySerializer(serializers.Serializer):
    start = ApiDateTimeField()  # without an offset, read as Norwegian time
    end = ApiDateTimeField()
    access_model = serializers.ChoiceField(choices=AccessModel.choices, help_text="What the use would be.")
    activity = serializers.ChoiceField(
        choices=Activity.choices,
        required=False,
        help_text="Optional: the server decides the activity; named, it must be the one you have (else 400).",
    )
    collaboration_agreement = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="An approved collaboration agreement that names you."
    )
    samples = serializers.IntegerField(min_value=1, max_value=QUOTE_MOST_SAMPLES, required=False)

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must be after the start.")]})
        if attrs["end"] - attrs["start"] > QUOTE_LONGEST:
            raise serializers.ValidationError({"end": [_("A quote can cover at most one year.")]})
        return attrs


class QuoteSerializer(serializers.Serializer):
    tier = serializers.CharField()
    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    net_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    vat_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    price_list_id = serializers.IntegerField(allow_null=True)
    activity = serializers.ChoiceField(choices=Activity.choices, help_text="Decided by the server.")
    reason = serializers.ChoiceField(choices=TermsReason.choices, help_text="Why this tier applies.")
    reason_text = serializers.CharField(source="reason_label", help_text="The reason in words.")
    vat_category = serializers.ChoiceField(choices=VatCategory.choices, help_text="EN 16931 VAT category code.")
    vat_reason_code = serializers.CharField(help_text="VATEX code for categories E and O.")
    vat_reason = serializers.CharField(help_text="The reason on the invoice for categories E and O.")
    collaboration_agreement = serializers.IntegerField(source="collaboration_agreement_id", allow_null=True)


class PriceListItemSerializer(serializers.ModelSerializer):
    vat_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, read_only=True, allow_null=True, source="public_vat_rate",
        help_text="The VAT rate of this tier under the institution's VAT table; null when the facility's access "
        "models are taxed differently (the quote for the chosen access model gives it).",
    )  # fmt: skip
    price_incl_vat = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, source="public_price_incl_vat"
    )
    blocked = serializers.SerializerMethodField(
        help_text="True when a raised cost base put this economic price under full cost plus the minimum margin: "
        "no booking is made at it (`price_below_full_cost`) until the facility corrects the list."
    )

    class Meta:
        model = PriceListItem
        fields = ["tier", "unit", "price", "vat_rate", "price_incl_vat", "blocked"]

    def get_blocked(self, obj) -> bool:
        return bool(obj.blocked_reason)


class PriceListListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        price_lists = list(data.all() if hasattr(data, "all") else data)
        selectors.price_lists_with_vat(price_lists)  # one query for the VAT tables of every facility listed
        return super().to_representation(price_lists)


class PriceListSerializer(serializers.ModelSerializer):
    """A price list with its prices. Give it lists with `resource__facility` loaded (pricing.selectors)."""

    items = PriceListItemSerializer(many=True, read_only=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = PriceList
        list_serializer_class = PriceListListSerializer
        fields = [
            "id", "resource", "valid_from", "valid_to", "note", "fixed_fee_quantity", "fixed_fee_unit", "currency",
            "items",
        ]  # fmt: skip
        extra_kwargs = {
            "fixed_fee_quantity": {"help_text": "How many hours or samples (`fixed_fee_unit`) one fixed fee covers."}
        }

    def get_currency(self, obj) -> str:
        return "NOK"

    def to_representation(self, instance):
        if not isinstance(self.parent, PriceListListSerializer):  # a list gives its VAT tables all at once
            selectors.price_lists_with_vat([instance])
        return super().to_representation(instance)


class CollaborationAgreementSerializer(serializers.ModelSerializer):
    participants = serializers.SlugRelatedField(slug_field="email", many=True, read_only=True)
    facility_name = serializers.CharField(source="facility.name", read_only=True)

    class Meta:
        model = CollaborationAgreement
        fields = [
            "id", "facility", "facility_name", "title", "description", "partner_name", "partner_org_number",
            "participants", "valid_from", "valid_to", "effective_collaboration", "shared_risk", "may_publish",
            "status", "created_at", "decided_at", "decision_reason",
        ]  # fmt: skip
        read_only_fields = fields


class CollaborationAgreementProposeSerializer(serializers.Serializer):
    """A proposed agreement. The three terms must all be true for collaboration research (else 400 naming it)."""

    facility = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200)
    partner_name = serializers.CharField(max_length=200)
    partner_org_number = serializers.CharField(max_length=11, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)
    effective_collaboration = serializers.BooleanField()
    shared_risk = serializers.BooleanField()
    may_publish = serializers.BooleanField()
    participants = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list, max_length=100,
        help_text="E-mail addresses of other people the agreement covers; you are one yourself.",
    )  # fmt: skip


class AgreementDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AgreementParticipantSerializer(serializers.Serializer):
    email = serializers.EmailField()


class AgreementEndSerializer(serializers.Serializer):
    last_day = serializers.DateField()


class VatTreatmentSerializer(serializers.Serializer):
    category = serializers.CharField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    reason_code = serializers.CharField()
    reason = serializers.CharField()
    invoiced = serializers.BooleanField()


class VatTableRowSerializer(serializers.Serializer):
    transaction = serializers.CharField()
    access_model = serializers.CharField(help_text="Empty for the internal transfer: the same for every access model.")
    default = VatTreatmentSerializer()
    applies = VatTreatmentSerializer(help_text="What bookings made now get: the institution's rule, or the default.")
    overridden = serializers.SerializerMethodField()

    def get_overridden(self, row) -> bool:
        return row.rule is not None


class VatRuleInputSerializer(serializers.Serializer):
    """Set the VAT of one access model; leave `category` empty to go back to the default."""

    access_model = serializers.ChoiceField(choices=AccessModel.choices)
    category = serializers.ChoiceField(choices=[("", ""), *VatCategory.choices], required=False, default="")
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, required=False, allow_null=True, default=None)
    reason_code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
