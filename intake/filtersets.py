import django_filters
from django.utils.translation import gettext_lazy as _

from catalogue.models import Institution
from core import filters as core_filters
from intake.choices import Phase, RequestStatus, Sector
from intake.models import IntakeRequest


class IntakeRequestFilterSet(django_filters.FilterSet):
    """The same filters on the screening queue page and in the API list."""

    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=RequestStatus.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    phase = django_filters.ChoiceFilter(label=_("Development phase"), choices=Phase.choices)
    institution = django_filters.ModelChoiceFilter(
        label=_("Screening queue"), queryset=Institution.objects.all(), to_field_name="slug"
    )
    national = core_filters.BooleanFilter(label=_("National queue"), field_name="institution", lookup_expr="isnull")

    class Meta:
        model = IntakeRequest
        fields = ["status", "sector", "phase", "institution", "national"]
