"""API for the separate accounts: state-aid shares, revenue split, invoice basis (JSON) and EHF invoices (XML).

Amounts are strings with two decimals ("1250.00"), shares strings with four, so no float ever rounds money.
Scope is `facilities/{id}` or `institutions/{id}`; bad input is a 400 naming the parameter.
"""

from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import accounting, accounting_forms
from booking.accounting_views import ehf_document, scope_for


def _decimal(value, places: str = "0.01") -> str | None:
    return None if value is None else format(Decimal(value).quantize(Decimal(places)), "f")


def _scope_json(scope: accounting.AccountsScope) -> dict:
    return {
        "kind": scope.kind,
        "id": scope.facility.id if scope.facility else scope.institution.id,
        "name": scope.name,
        "institution": {"id": scope.institution.id, "name": scope.institution.name},
    }


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Calendar year (Europe/Oslo); this year if left out")
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period; this month if left out")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period, included")
ORG_NUMBER = OpenApiParameter("org_number", OpenApiTypes.STR, required=True, description="The payer's 9 digits")


class _AccountsView(APIView):
    permission_classes = [IsAuthenticated]
    scope = "facility"  # set per URL


class StateAidView(_AccountsView):
    """Economic hours, capacity and share of each resource in a year (`?year=`, default this year)."""

    @extend_schema(parameters=[YEAR], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        resolved = scope_for(request.user, self.scope, pk)
        year = accounting_forms.cleaned_or_raise(accounting_forms.bind(accounting_forms.YearForm, request.GET))["year"]
        shares = accounting.state_aid_shares(
            resources=accounting.resources_of_facilities(resolved.facility_ids), year=year
        )
        warning, alert = accounting.thresholds()
        return Response(
            {
                "scope": _scope_json(resolved),
                "year": year,
                "warning_share": _decimal(warning, "0.0001"),
                "alert_share": _decimal(alert, "0.0001"),
                "resources": [
                    {
                        "id": share.resource.id,
                        "name": share.resource.name,
                        "facility": share.resource.facility.name,
                        "economic_hours": _decimal(share.economic_hours),
                        "capacity_hours": _decimal(share.capacity_hours),
                        "share": _decimal(share.share, "0.0001"),
                        "level": share.level,
                    }
                    for share in shares
                ],
            }
        )


class RevenueView(_AccountsView):
    """Charged revenue per facility, split into economic and non-economic activity, for a year."""

    @extend_schema(parameters=[YEAR], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        resolved = scope_for(request.user, self.scope, pk)
        year = accounting_forms.cleaned_or_raise(accounting_forms.bind(accounting_forms.YearForm, request.GET))["year"]
        rows = accounting.revenue_split(facilities=resolved.facilities, year=year)
        return Response(
            {
                "scope": _scope_json(resolved),
                "year": year,
                "rows": [
                    {
                        "facility": {"id": row.facility_id, "name": row.facility_name},
                        "activity": row.activity,
                        "bookings": row.bookings,
                        "net_amount": _decimal(row.net_amount),
                        "vat_amount": _decimal(row.vat_amount),
                        "total_amount": _decimal(row.total_amount),
                    }
                    for row in rows
                ],
            }
        )


class InvoiceBasisView(_AccountsView):
    """Chargeable bookings from `?from=` to `?to=` (dates, both included) per paying organisation."""

    @extend_schema(parameters=[FROM, TO], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        resolved = scope_for(request.user, self.scope, pk)
        data = accounting_forms.cleaned_or_raise(accounting_forms.bind(accounting_forms.PeriodForm, request.GET))
        basis = accounting.invoice_basis(
            facility_ids=resolved.facility_ids, first_day=data["from_date"], last_day=data["to_date"]
        )
        return Response(
            {
                "scope": _scope_json(resolved),
                "from": basis.first_day.isoformat(),
                "to": basis.last_day.isoformat(),
                "net_amount": _decimal(basis.net_amount),
                "vat_amount": _decimal(basis.vat_amount),
                "total_amount": _decimal(basis.total_amount),
                "payers": [
                    {
                        "name": payer.name,
                        "org_number": payer.org_number,
                        "net_amount": _decimal(payer.net_amount),
                        "vat_amount": _decimal(payer.vat_amount),
                        "total_amount": _decimal(payer.total_amount),
                        "lines": [
                            {
                                "booking": line.booking_id,
                                "facility": line.facility_name,
                                "resource": line.resource_name,
                                "date": line.date.isoformat(),
                                "status": line.status,
                                "activity": line.activity,
                                "tier": line.tier,
                                "description": line.description,
                                "quantity": _decimal(line.quantity),
                                "unit": line.unit,
                                "unit_price": _decimal(line.unit_price),
                                "net_amount": _decimal(line.net_amount),
                                "vat_rate": _decimal(line.vat_rate, "0.0001"),
                                "vat_amount": _decimal(line.vat_amount),
                                "total_amount": _decimal(line.total_amount),
                                "currency": line.currency,
                            }
                            for line in payer.lines
                        ],
                    }
                    for payer in basis.payers
                ],
            }
        )


class EhfInvoiceView(_AccountsView):
    """EHF / PEPPOL BIS Billing 3.0 invoice XML for one paying organisation (`?org_number=&from=&to=`)."""

    @extend_schema(parameters=[ORG_NUMBER, FROM, TO], responses={(200, "application/xml"): OpenApiTypes.STR})
    def get(self, request, pk):
        resolved = scope_for(request.user, self.scope, pk)
        data = accounting_forms.cleaned_or_raise(accounting_forms.bind(accounting_forms.EhfForm, request.GET))
        xml, filename = ehf_document(resolved, data)
        response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
