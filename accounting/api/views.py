"""API for the separate accounts: state-aid shares, revenue split, invoice basis (JSON) and EHF invoices (XML).

Scope is `facilities/{id}` or `institutions/{id}`; bad input is a 400 naming the parameter. Thin: parse the
query with accounting.forms, check accounting.policies, call one selector, serialize.
"""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounting import ehf, forms, selectors
from accounting.api import serializers
from accounting.policies import accounts_scope_for

YEAR = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": 2000, "maximum": 2100},
    description="Calendar year (Europe/Oslo); this year if left out",
)
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period; this month if left out")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period, included")
ORG_NUMBER = OpenApiParameter(
    "org_number", OpenApiTypes.STR, description="The payer's 9 digits (or `payer_name` for a payer without them)"
)
EHF_PARAMETERS = [
    OpenApiParameter(
        "payer_name", OpenApiTypes.STR, description="A payer without a Norwegian organisation number, by its name"
    ),
    OpenApiParameter(
        "document", OpenApiTypes.STR, enum=["invoice", "credit_note"], description="Invoice (default) or credit note"
    ),
    OpenApiParameter(
        "vat",
        OpenApiTypes.STR,
        enum=["taxable", "outside_scope"],
        description="Lines with VAT or lines outside the scope of VAT: EN 16931 puts them on separate documents; "
        "needed only when the payer has both",
    ),
    OpenApiParameter(
        "bookings", OpenApiTypes.STR, description="Credit note: the bookings whose charges it credits (1,2,3)"
    ),
    OpenApiParameter(
        "billing_reference", OpenApiTypes.STR, description="Credit note: the number of the invoice it credits"
    ),
    OpenApiParameter("buyer_country", OpenApiTypes.STR, description="ISO 3166 country of the buyer (NO by default)"),
    OpenApiParameter(
        "buyer_endpoint",
        OpenApiTypes.STR,
        description="Peppol address of a buyer without a Norwegian organisation number: EAS scheme:identifier",
    ),
    OpenApiParameter("buyer_vat_number", OpenApiTypes.STR, description="VAT number of a foreign buyer"),
    OpenApiParameter("invoice_number", OpenApiTypes.STR, description="The document's number (a draft one if empty)"),
    OpenApiParameter("buyer_reference", OpenApiTypes.STR, description="The buyer's reference"),
]


class AccountsView(APIView):
    """The accounts of a facility or an institution: `scope` ("facility" or "institution") is set per URL."""

    permission_classes = [IsAuthenticated]
    scope = "facility"

    def accounts_scope(self, pk: int) -> selectors.AccountsScope:
        return accounts_scope_for(self.request.user, kind=self.scope, pk=pk)


class StateAidView(AccountsView):
    """Economic hours, capacity and share of each resource in a year (`?year=`, default this year)."""

    @extend_schema(parameters=[YEAR], responses=serializers.StateAidSerializer)
    def get(self, request, pk):
        scope = self.accounts_scope(pk)
        year = forms.cleaned_or_raise(forms.bind(forms.YearForm, request.GET))["year"]
        shares = selectors.state_aid_shares(resources=selectors.resources_of_facilities(scope.facility_ids), year=year)
        warning, alert = selectors.thresholds()
        report = {"scope": scope, "year": year, "warning_share": warning, "alert_share": alert, "resources": shares}
        return Response(serializers.StateAidSerializer(report).data)


class RevenueView(AccountsView):
    """Charged revenue per facility, split into economic and non-economic activity, for a year."""

    @extend_schema(parameters=[YEAR], responses=serializers.RevenueSerializer)
    def get(self, request, pk):
        scope = self.accounts_scope(pk)
        year = forms.cleaned_or_raise(forms.bind(forms.YearForm, request.GET))["year"]
        rows = selectors.revenue_split(facilities=scope.facilities, year=year)
        return Response(serializers.RevenueSerializer({"scope": scope, "year": year, "rows": rows}).data)


class InvoiceBasisView(AccountsView):
    """Chargeable bookings from `?from=` to `?to=` (dates, both included) per paying organisation."""

    @extend_schema(parameters=[FROM, TO], responses=serializers.InvoiceBasisSerializer)
    def get(self, request, pk):
        scope = self.accounts_scope(pk)
        period = forms.cleaned_or_raise(forms.bind(forms.PeriodForm, request.GET))
        basis = selectors.invoice_basis(
            facility_ids=scope.facility_ids, first_day=period["from_date"], last_day=period["to_date"]
        )
        return Response(serializers.InvoiceBasisSerializer({"scope": scope, "basis": basis}).data)


class EhfInvoiceView(AccountsView):
    """EHF / Peppol BIS Billing 3.0 XML for one paying organisation (`?org_number=&from=&to=`): an invoice of its
    chargeable lines in the period, or a credit note (`document=credit_note&bookings=&billing_reference=`).
    Both pass the official CEN and Peppol rules; a 400 names the parameter at fault."""

    @extend_schema(
        parameters=[ORG_NUMBER, FROM, TO, *EHF_PARAMETERS], responses={(200, "application/xml"): OpenApiTypes.STR}
    )
    def get(self, request, pk):
        scope = self.accounts_scope(pk)
        arguments = forms.ehf_invoice_arguments(request.GET)
        xml, filename = ehf.invoice_for_payer(scope=scope, issue_date=timezone.localdate(), **arguments)
        response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
