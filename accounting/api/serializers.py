"""What the accounting API answers. Read-only: each serializer shapes a selector's result.

Amounts are strings with two decimals ("1250.00"), shares and VAT rates strings with four, so no float ever
rounds money.
"""

from rest_framework import serializers


def amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=2, **kwargs)


def share(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=4, **kwargs)


class AccountsInstitutionSerializer(serializers.Serializer):
    """The institution whose facilities the figures are for."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class AccountsScopeSerializer(serializers.Serializer):
    """The facility, or the institution with all its facilities, that the figures are for."""

    kind = serializers.ChoiceField(choices=["facility", "institution"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    institution = AccountsInstitutionSerializer()


class StateAidShareSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="resource.id")
    name = serializers.CharField(source="resource.name")
    facility = serializers.CharField(source="resource.facility.name")
    economic_hours = amount()
    capacity_hours = amount(allow_null=True)
    share = share(allow_null=True)
    level = serializers.CharField()


class StateAidSerializer(serializers.Serializer):
    """Economic hours, capacity and share of each resource in a year, with the warning and alert lines."""

    scope = AccountsScopeSerializer()
    year = serializers.IntegerField()
    warning_share = share()
    alert_share = share()
    resources = StateAidShareSerializer(many=True)


class RevenueFacilitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="facility_id")
    name = serializers.CharField(source="facility_name")


class RevenueRowSerializer(serializers.Serializer):
    facility = RevenueFacilitySerializer(source="*")
    activity = serializers.CharField()
    bookings = serializers.IntegerField()
    service_orders = serializers.IntegerField(help_text="Delivered service orders; their amounts are in the sums.")
    net_amount = amount()
    vat_amount = amount()
    total_amount = amount()


class RevenueSerializer(serializers.Serializer):
    """Charged revenue per facility in a year, economic and non-economic activity apart."""

    scope = AccountsScopeSerializer()
    year = serializers.IntegerField()
    rows = RevenueRowSerializer(many=True)


class InvoiceLineSerializer(serializers.Serializer):
    booking = serializers.IntegerField(
        source="booking_id", allow_null=True, help_text="Null on a service order's line."
    )
    service_order = serializers.IntegerField(
        source="service_order_id", allow_null=True, help_text="The delivered service order the line charges, if any."
    )
    facility = serializers.CharField(source="facility_name")
    resource = serializers.CharField(source="resource_name")
    date = serializers.DateField()
    status = serializers.CharField()
    activity = serializers.CharField()
    tier = serializers.CharField()
    description = serializers.CharField()
    quantity = amount()
    unit = serializers.CharField()
    unit_price = amount()
    net_amount = amount()
    vat_rate = share()
    vat_amount = amount()
    total_amount = amount()
    currency = serializers.CharField()
    vat_category = serializers.CharField(help_text="EN 16931 VAT category: S, Z, E or O (empty before it was kept).")
    vat_reason_code = serializers.CharField(help_text="VATEX code for E and O.")
    vat_reason = serializers.CharField(help_text="Why a line carries no VAT (E and O), as on the invoice.")
    internal_transfer = serializers.BooleanField(help_text="The owning institution's own use: charged, not invoiced.")


class PayerInvoiceBasisSerializer(serializers.Serializer):
    name = serializers.CharField()
    org_number = serializers.CharField()
    net_amount = amount()
    vat_amount = amount()
    total_amount = amount()
    lines = InvoiceLineSerializer(many=True)


class InvoiceBasisSerializer(serializers.Serializer):
    """Chargeable bookings of a period per paying organisation; `from` and `to` are its first and last day."""

    # Serializes {"scope": AccountsScope, "basis": InvoiceBasis}.
    scope = AccountsScopeSerializer()

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so these fields cannot be declared in the class body.
        fields["from"] = serializers.DateField(source="basis.first_day")
        fields["to"] = serializers.DateField(source="basis.last_day")
        fields["net_amount"] = amount(source="basis.net_amount")
        fields["vat_amount"] = amount(source="basis.vat_amount")
        fields["total_amount"] = amount(source="basis.total_amount")
        fields["payers"] = PayerInvoiceBasisSerializer(source="basis.payers", many=True)
        # Organisations Brønnøysundregistrene has not verified: not invoiced, in no total (docs/accounts.md).
        fields["held"] = PayerInvoiceBasisSerializer(source="basis.held", many=True)
        return fields
