"""External calendars API: parse input, call one service or selector, render."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from calendars import policies, selectors, services
from calendars.api.serializers import ExternalCalendarCreateSerializer, ExternalCalendarSerializer
from catalogue import policies as catalogue_policies
from catalogue.models import Resource
from core.policies import require, require_visible


def _resource(request, pk) -> Resource:
    """The resource, if the user may see it (a draft facility's is a 404 to others, as a missing one)."""
    resource = get_object_or_404(Resource.objects.select_related("facility"), pk=pk)
    require_visible(catalogue_policies.can_view_facility, request.user, resource.facility)
    return resource


class ExternalCalendarListView(APIView):
    """GET/POST /api/v1/resources/{id}/external-calendars/ : the resource's iCalendar feeds (its managers only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="External calendars of a resource", responses={200: ExternalCalendarSerializer(many=True)})
    def get(self, request, pk):
        resource = _resource(request, pk)
        require(policies.can_manage_external_calendars, request.user, resource)
        calendars = selectors.external_calendars_of(resource)
        return Response(ExternalCalendarSerializer(calendars, many=True).data)

    @extend_schema(
        summary="Attach an external calendar",
        description="The feed is read at once after the answer, then periodically. Its busy time counts for "
        "availability, the free-capacity search and booking.",
        request=ExternalCalendarCreateSerializer,
        responses={201: ExternalCalendarSerializer},
    )
    def post(self, request, pk):
        resource = _resource(request, pk)
        require(policies.can_manage_external_calendars, request.user, resource)
        serializer = ExternalCalendarCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calendar = services.external_calendar_add(resource=resource, actor=request.user, **serializer.validated_data)
        calendar.refresh_from_db()  # the first read may have run already (eager tasks)
        return Response(ExternalCalendarSerializer(calendar).data, status=status.HTTP_201_CREATED)


class ExternalCalendarDetailView(APIView):
    """DELETE /api/v1/resources/{id}/external-calendars/{calendar_id}/ : remove a feed; its busy time stops counting."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Remove an external calendar", responses={204: None})
    def delete(self, request, pk, calendar_id):
        resource = _resource(request, pk)
        require(policies.can_manage_external_calendars, request.user, resource)
        calendar = selectors.external_calendar_of(resource, calendar_id)
        if calendar is None:
            raise NotFound
        services.external_calendar_remove(calendar=calendar, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
