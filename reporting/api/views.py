"""The open statistics API: public, read-only, figures from the published aggregates (reporting.selectors).

Bad input (a year out of range, a quarter other than 1-4) is a 400 problem naming the parameter (core.api).
"""

from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting import fields, selectors
from reporting.api.serializers import InstitutionStatisticsSerializer
from reporting.choices import Dimension

YEAR = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": selectors.FIRST_YEAR, "maximum": selectors.last_year()},
    description="Calendar year (Europe/Oslo), from 2000 up to this year; this year if left out.",
)
QUARTER = OpenApiParameter(
    "quarter",
    {"type": "integer", "minimum": 1, "maximum": 4},
    description="A quarter of the year (1-4); the whole year if left out.",
)


class InstitutionStatisticsView(APIView):
    """Collaboration with industry per institution, in ranking order: bookings, hours and revenue from
    companies, requests and how fast they were answered, and the ranking index with its components
    (docs/statistics.md). Open data under NLOD 2.0. A figure counting fewer than 3 distinct companies, or
    one that could be worked out from a total and the figures shown, is null."""

    permission_classes = []
    authentication_classes = []

    @extend_schema(
        parameters=[YEAR, QUARTER], responses=InstitutionStatisticsSerializer(many=True), tags=["statistics"]
    )
    def get(self, request):
        year, quarter = selectors.period_check(year=request.GET.get("year"), quarter=request.GET.get("quarter"))
        rows = selectors.statistics_table(year=year, quarter=quarter, dimension=Dimension.INSTITUTION)
        records = [fields.record(row, year=year, quarter=quarter, key="institution") for row in rows]
        response = Response(InstitutionStatisticsSerializer(records, many=True).data)
        licence = fields.NLOD_URL_EN if translation.get_language() == "en" else fields.NLOD_URL
        response["Link"] = f'<{licence}>; rel="license"'
        return response
