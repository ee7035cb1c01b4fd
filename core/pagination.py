"""The API's page numbers: a page size outside 1..max is refused (400 naming `page_size`), not quietly changed.

DRF's PageNumberPagination falls back to the default size for `page_size=abc` and cuts `page_size=5000` to the
maximum without a word; the schema says `page_size` is an integer between 1 and the maximum, and the API keeps to
it. An empty `page_size` means not given.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param or "", "") if self.page_size_query_param else ""
        if raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = None
        limit = self.max_page_size
        if size is None or size < 1 or (limit is not None and size > limit):
            message = _("Give a whole number from 1 to %(limit)d.") % {"limit": limit or self.page_size}
            raise exceptions.ValidationError(
                {self.page_size_query_param: [exceptions.ErrorDetail(message, code="invalid_page_size")]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
                if self.max_page_size:
                    parameter["schema"]["maximum"] = self.max_page_size
        return parameters
