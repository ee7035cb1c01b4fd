"""The statistics as the API gives them: one flat record per institution (reporting.fields), hidden figures null."""

from django.utils.encoding import force_str
from rest_framework import serializers

from reporting.fields import FIELDS, KEY_FIELDS, SUPPRESSION_NOTE


def _field(field) -> serializers.Field:
    help_text = force_str(field.description)
    if field.hidden_when_few_companies:
        help_text += " " + force_str(SUPPRESSION_NOTE)
    options = {"help_text": help_text, "read_only": True}
    if field.kind == "integer":
        return serializers.IntegerField(allow_null=True, **options)
    if field.kind == "decimal":
        return serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True, **options)
    if field.kind == "share":
        return serializers.DecimalField(max_digits=None, decimal_places=4, allow_null=True, **options)
    if field.kind == "boolean":
        return serializers.BooleanField(**options)
    return serializers.CharField(allow_null=True, **options)


def _serializer(name: str, keys: tuple[str, ...]) -> type[serializers.Serializer]:
    declared = {key: _field(KEY_FIELDS[key]) for key in keys}
    declared |= {field.name: _field(field) for field in FIELDS}
    return type(name, (serializers.Serializer,), declared)


InstitutionStatisticsSerializer = _serializer("InstitutionStatisticsSerializer", ("institution", "region"))
RegionStatisticsSerializer = _serializer("RegionStatisticsSerializer", ("region",))
KindStatisticsSerializer = _serializer("KindStatisticsSerializer", ("kind",))
NationalStatisticsSerializer = _serializer("NationalStatisticsSerializer", ("area",))
SERIALIZERS = {
    "area": NationalStatisticsSerializer,
    "institution": InstitutionStatisticsSerializer,
    "region": RegionStatisticsSerializer,
    "kind": KindStatisticsSerializer,
}
