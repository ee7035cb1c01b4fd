from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import policies as catalogue_policies
from catalogue.choices import PublicationStatus
from catalogue.models import Resource
from core.policies import require
from pricing import policies, selectors, tdi
from pricing.api.serializers import (
    PriceListSerializer,
    QuoteQuerySerializer,
    QuoteSerializer,
    TdiInputSerializer,
    TdiResultSerializer,
)
from pricing.filtersets import PriceListFilterSet
from pricing.models import PriceList


class TdiCalculatorView(APIView):
    """The TDI full-cost calculator: unit prices per tier and the cost lines behind them. No log-in needed."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=TdiInputSerializer, responses={200: TdiResultSerializer}, tags=["pricing"])
    def post(self, request):
        serializer = TdiInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["staff"] = tuple(tdi.StaffLine(**line) for line in data["staff"])
        result = tdi.calculate(tdi.TdiInputs(**data))
        return Response(TdiResultSerializer(result).data)


def _visible_resource(request, pk) -> Resource:
    """An active resource of a facility the user may see; drafts are 404 to everyone else."""
    resource = get_object_or_404(Resource.objects.select_related("facility"), pk=pk, is_active=True)
    if not catalogue_policies.can_view_facility(request.user, resource.facility):
        raise NotFound
    return resource


class ResourceQuoteView(APIView):
    """What using the resource from `start` to `end` costs the signed-in user (the tier follows from who they
    are and the activity)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[QuoteQuerySerializer], responses={200: QuoteSerializer}, tags=["pricing"], operation_id="quote"
    )
    def get(self, request, pk):
        resource = _visible_resource(request, pk)
        require(policies.can_get_quote, request.user, resource)
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        quote = selectors.booking_quote(resource=resource, user=request.user, **query.validated_data)
        if quote is None:
            raise NotFound(_("The resource has no price for this period and tier."))
        return Response(QuoteSerializer(quote).data)


class ResourcePriceListsView(generics.ListAPIView):
    """The resource's current and coming price lists: prices excl. VAT and, for tiers that pay VAT, incl. VAT."""

    serializer_class = PriceListSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(tags=["pricing"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.public_price_lists(resource=_visible_resource(self.request, self.kwargs["pk"]))


class PriceListListView(generics.ListAPIView):
    """All price lists, filterable by resource, facility and validity date (`valid_on=YYYY-MM-DD`)."""

    serializer_class = PriceListSerializer
    filterset_class = PriceListFilterSet

    @extend_schema(tags=["pricing"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            PriceList.objects.filter(resource__is_active=True, resource__facility__status=PublicationStatus.PUBLISHED)
            .prefetch_related("items")
            .order_by("resource_id", "valid_from")
        )
