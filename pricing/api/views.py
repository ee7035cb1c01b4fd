from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import policies as catalogue_policies
from catalogue import roles
from catalogue.choices import PublicationStatus
from catalogue.models import Facility, Institution, Resource
from core.db import MAX_ID
from core.errors import DomainError
from core.policies import require
from pricing import policies, selectors, services, tdi
from pricing.api.serializers import (
    AgreementDecisionSerializer,
    AgreementEndSerializer,
    AgreementParticipantSerializer,
    CollaborationAgreementProposeSerializer,
    CollaborationAgreementSerializer,
    PriceListSerializer,
    QuoteQuerySerializer,
    QuoteSerializer,
    TdiInputSerializer,
    TdiResultSerializer,
    VatRuleInputSerializer,
    VatTableRowSerializer,
)
from pricing.filtersets import PriceListFilterSet
from pricing.models import CollaborationAgreement, PriceList


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
            .select_related("resource__facility")
            .prefetch_related("items")
            .order_by("resource_id", "valid_from")
        )


class CollaborationAgreementListView(APIView):
    """GET: the agreements you proposed or are named in, and those of the facilities you manage. POST: propose one
    (its facility's managers approve it)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: CollaborationAgreementSerializer(many=True)}, tags=["pricing"])
    def get(self, request):
        own = {agreement.pk: agreement for agreement in selectors.agreements_of_person(request.user)}
        for agreement in selectors.agreements_of_facilities(roles.managed_facility_ids(request.user)):
            own.setdefault(agreement.pk, agreement)
        ordered = sorted(own.values(), key=lambda agreement: agreement.pk, reverse=True)
        return Response(CollaborationAgreementSerializer(ordered, many=True).data)

    @extend_schema(
        request=CollaborationAgreementProposeSerializer, responses={201: CollaborationAgreementSerializer},
        tags=["pricing"],
    )  # fmt: skip
    def post(self, request):
        data = CollaborationAgreementProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        facility = Facility.objects.filter(pk=values.pop("facility")).first()
        if facility is None or not catalogue_policies.can_view_facility(request.user, facility):  # a draft's too
            raise DomainError(_("No such facility."), field="facility", code="not_found")
        agreement = services.collaboration_agreement_propose(actor=request.user, facility=facility, **values)
        return Response(CollaborationAgreementSerializer(agreement).data, status=201)


class _AgreementAction(APIView):
    permission_classes = [permissions.IsAuthenticated]
    input_serializer = AgreementDecisionSerializer

    def act(self, agreement, actor, data):
        """Call the action's service (each subclass names its own)."""
        raise NotImplementedError

    def post(self, request, pk):
        if pk > MAX_ID:  # no such row, and more than the database can compare
            raise NotFound
        agreement = get_object_or_404(CollaborationAgreement.objects.select_related("facility"), pk=pk)
        if not policies.can_view_agreement(request.user, agreement):
            raise NotFound
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = self.act(agreement, request.user, data.validated_data)
        return Response(CollaborationAgreementSerializer(agreement).data)


class AgreementApproveView(_AgreementAction):
    """A manager of the facility approves a proposed agreement (403 for anyone else)."""

    @extend_schema(
        request=AgreementDecisionSerializer, responses={200: CollaborationAgreementSerializer}, tags=["pricing"]
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, agreement, actor, data):
        return services.collaboration_agreement_approve(agreement=agreement, actor=actor, reason=data["reason"])


class AgreementRejectView(_AgreementAction):
    """A manager of the facility rejects a proposed agreement, with a reason."""

    @extend_schema(
        request=AgreementDecisionSerializer, responses={200: CollaborationAgreementSerializer}, tags=["pricing"]
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, agreement, actor, data):
        return services.collaboration_agreement_reject(agreement=agreement, actor=actor, reason=data["reason"])


class AgreementParticipantView(_AgreementAction):
    """A manager of the facility names one more participant by e-mail."""

    input_serializer = AgreementParticipantSerializer

    @extend_schema(
        request=AgreementParticipantSerializer, responses={200: CollaborationAgreementSerializer}, tags=["pricing"]
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, agreement, actor, data):
        return services.collaboration_agreement_participant_add(agreement=agreement, actor=actor, email=data["email"])


class AgreementEndView(_AgreementAction):
    """A manager of the facility ends an approved agreement on a day."""

    input_serializer = AgreementEndSerializer

    @extend_schema(request=AgreementEndSerializer, responses={200: CollaborationAgreementSerializer}, tags=["pricing"])
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, agreement, actor, data):
        return services.collaboration_agreement_end(agreement=agreement, actor=actor, last_day=data["last_day"])


class VatTableView(APIView):
    """GET: the institution's VAT table (its managers and admins). POST: override the default of one access
    model, or go back to it (its admins); every change is audited."""

    permission_classes = [permissions.IsAuthenticated]

    def _institution(self, request, pk):
        if pk > MAX_ID:
            raise NotFound
        institution = get_object_or_404(Institution, pk=pk)
        if not policies.can_view_vat_rules(request.user, institution):
            raise NotFound
        return institution

    @extend_schema(responses={200: VatTableRowSerializer(many=True)}, tags=["pricing"])
    def get(self, request, pk):
        institution = self._institution(request, pk)
        return Response(VatTableRowSerializer(selectors.vat_table(institution_id=institution.pk), many=True).data)

    @extend_schema(request=VatRuleInputSerializer, responses={200: VatTableRowSerializer(many=True)}, tags=["pricing"])
    def post(self, request, pk):
        institution = self._institution(request, pk)
        data = VatRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.vat_rule_save(institution=institution, actor=request.user, **data.validated_data)
        return Response(VatTableRowSerializer(selectors.vat_table(institution_id=institution.pk), many=True).data)
