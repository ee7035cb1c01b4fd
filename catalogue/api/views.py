from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import policies, selectors, services, uniquip
from catalogue.api.serializers import (
    ContactPersonSerializer,
    ContactPersonUpdateSerializer,
    FacilityCreateSerializer,
    FacilityDetailSerializer,
    FacilitySerializer,
    FacilityUpdateSerializer,
    InstitutionSerializer,
    InstitutionUpdateSerializer,
    ResourceSerializer,
    ResourceUpdateSerializer,
)
from catalogue.filtersets import FacilityFilterSet, InstitutionFilterSet, ResourceFilterSet
from catalogue.models import ContactPerson, Facility, Institution
from core import pagination as core_pagination

# Ids in URLs are digits; anything else is a 404 from the router, not a failed database lookup.
ID_PATTERN = r"[0-9]+"


class RegisterPagination(core_pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class InstitutionViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Institutions that own facilities (universities, university colleges, health trusts, clusters)."""

    lookup_value_regex = ID_PATTERN
    queryset = Institution.objects.order_by("name")
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilterSet
    pagination_class = RegisterPagination
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=InstitutionUpdateSerializer, responses=InstitutionSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the institution's page (institution admins and platform admins)."""
        institution = self.get_object()
        serializer = InstitutionUpdateSerializer(institution, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.institution_update(institution=institution, actor=request.user, **serializer.validated_data)
        return Response(InstitutionSerializer(institution).data)


class FacilityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The register: published facilities (and the drafts you keep), filtered like the portal's search."""

    lookup_value_regex = ID_PATTERN
    filterset_class = FacilityFilterSet
    pagination_class = RegisterPagination
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.facility_detail_queryset()
        if self.action == "list":
            return selectors.visible_facilities(self.request.user)
        return Facility.objects.all()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FacilityDetailSerializer
        if self.action == "partial_update":
            return FacilityUpdateSerializer
        if self.action == "create":
            return FacilityCreateSerializer
        return FacilitySerializer

    def list(self, request, *args, **kwargs):
        # The search runs once: every result's id in order, then the page's facilities by id (the count is the
        # length of the list, not a second run of the search).
        queryset = self.filter_queryset(self.get_queryset())
        ids = selectors.facility_result_ids(queryset, text=request.query_params.get("q", ""))
        page = self.paginate_queryset(ids)
        facilities = selectors.facilities_in_order(page)
        return self.get_paginated_response(self.get_serializer(facilities, many=True).data)

    def get_object(self):
        facility = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not policies.can_view_facility(self.request.user, facility):
            raise Http404  # a draft's existence is nobody else's business
        return facility

    @extend_schema(request=FacilityCreateSerializer, responses={201: FacilityDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Create a draft facility at an institution (institution admins and platform admins)."""
        serializer = FacilityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        institution = data.pop("institution")
        facility = services.facility_create(institution=institution, actor=request.user, **data)
        response = self._detail(facility.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=FacilityUpdateSerializer, responses=FacilityDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        facility = self.get_object()
        serializer = FacilityUpdateSerializer(facility, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.facility_update(facility=facility, actor=request.user, **serializer.validated_data)
        return self._detail(facility.pk)

    @extend_schema(request=None, responses=FacilityDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the entry; 400 naming `contacts` when there is no primary contact person."""
        facility = self.get_object()
        services.facility_publish(facility=facility, actor=request.user)
        return self._detail(facility.pk)

    @extend_schema(request=None, responses=FacilityDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Mark the entry as verified today."""
        facility = self.get_object()
        services.facility_mark_verified(facility=facility, actor=request.user)
        return self._detail(facility.pk)

    def _detail(self, pk):
        facility = selectors.facility_detail_queryset().get(pk=pk)
        return Response(FacilityDetailSerializer(facility, context={"request": self.request}).data)


class _FacilityPartWrites:
    """Create, update and delete a part of a facility (a contact person, a resource) for those who keep the
    facility. Subclasses name their serializers and the catalogue services that do the writing (and check who
    may)."""

    serializer_class: type
    update_serializer_class: type

    def create_part(self, *, facility, actor, **fields): ...
    def update_part(self, part, *, actor, **fields): ...
    def delete_part(self, part, *, actor): ...

    def get_object(self):
        part = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not policies.can_view_facility(self.request.user, part.facility):
            raise Http404
        return part

    def create(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        facility = data.pop("facility")
        part = self.create_part(facility=facility, actor=request.user, **data)
        return Response(self.serializer_class(part).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        part = self.get_object()
        serializer = self.update_serializer_class(part, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.update_part(part, actor=request.user, **serializer.validated_data)
        return Response(self.serializer_class(part).data)

    def destroy(self, request, *args, **kwargs):
        part = self.get_object()
        self.delete_part(part, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    partial_update=extend_schema(request=ContactPersonUpdateSerializer, responses=ContactPersonSerializer)
)
class ContactPersonViewSet(
    _FacilityPartWrites,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Contact persons, kept by the facility's managers. Read them through the facility."""

    lookup_value_regex = ID_PATTERN
    queryset = ContactPerson.objects.select_related("facility")
    serializer_class = ContactPersonSerializer
    update_serializer_class = ContactPersonUpdateSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create_part(self, *, facility, actor, **fields):
        return services.contact_create(facility=facility, actor=actor, **fields)

    def update_part(self, part, *, actor, **fields):
        return services.contact_update(contact=part, actor=actor, **fields)

    def delete_part(self, part, *, actor):
        services.contact_delete(contact=part, actor=actor)


@extend_schema_view(partial_update=extend_schema(request=ResourceUpdateSerializer, responses=ResourceSerializer))
class ResourceViewSet(
    _FacilityPartWrites,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Instruments, rooms and services inside published facilities; `bookable` tells which can be booked."""

    lookup_value_regex = ID_PATTERN
    serializer_class = ResourceSerializer
    update_serializer_class = ResourceUpdateSerializer
    filterset_class = ResourceFilterSet
    pagination_class = RegisterPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.published_resources().order_by("facility__name", "name")
        return selectors.resource_list_queryset()

    def create_part(self, *, facility, actor, **fields):
        return services.resource_create(facility=facility, actor=actor, **fields)

    def update_part(self, part, *, actor, **fields):
        return services.resource_update(resource=part, actor=actor, **fields)

    def delete_part(self, part, *, actor):
        services.resource_delete(resource=part, actor=actor)


class UniquipExportView(APIView):
    """The whole published register as Uniquip CSV (equipment.data.ac.uk columns)."""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, tags=["export"])
    def get(self, request):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="labtorget-uniquip.csv"'
        uniquip.write_csv(response)
        return response
