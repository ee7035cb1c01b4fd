from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue import selectors, services
from catalogue.models import Category, ContactPerson, Facility, Institution, Resource


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = [
            "id",
            "slug",
            "kind",
            "name",
            "short_name",
            "city",
            "region",
            "web_address",
            "org_number",
            "industry_access_nb",
            "industry_access_en",
            "is_demo",
        ]


class InstitutionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "slug", "short_name", "name", "region"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name_nb", "name_en"]


class VisibleFacilityField(serializers.PrimaryKeyRelatedField):
    """A facility by its id, among those the requesting user may see: someone else's draft is refused exactly as an
    id that names nothing (the request comes in the serializer's context)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Facility.objects.all()
        return selectors.visible_facilities(request.user)


class ContactPersonSerializer(serializers.ModelSerializer):
    facility = VisibleFacilityField(queryset=Facility.objects.all())

    class Meta:
        model = ContactPerson
        fields = ["id", "facility", "name", "role", "email", "phone", "is_primary"]
        read_only_fields = ["id"]


class ContactPersonUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPerson
        fields = list(services.CONTACT_FIELDS)


class ResourceSerializer(serializers.ModelSerializer):
    facility = VisibleFacilityField(queryset=Facility.objects.all())

    class Meta:
        model = Resource
        fields = ["id", "facility", "kind", "name", "description_nb", "description_en", "bookable", "is_active"]
        read_only_fields = ["id"]


class ResourceUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = list(services.RESOURCE_FIELDS)


class FacilitySerializer(serializers.ModelSerializer):
    institution = InstitutionSummarySerializer(read_only=True)
    categories = serializers.SerializerMethodField()
    access_models = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_stale = serializers.SerializerMethodField(help_text="Not verified for CATALOGUE_STALE_AFTER_DAYS days.")
    primary_contact = serializers.SerializerMethodField()

    class Meta:
        model = Facility
        fields = [
            "id",
            "slug",
            "institution",
            "kind",
            "name",
            "description_nb",
            "description_en",
            "categories",
            "keywords",
            "access_models",
            "open_to_industry",
            "accreditation",
            "city",
            "campus",
            "web_address",
            "status",
            "last_verified",
            "is_stale",
            "primary_contact",
        ]

    @extend_schema_field(CategorySerializer(many=True))
    def get_categories(self, facility):
        # The research fields a search read with the page (selectors.facilities_in_order), else the facility's own.
        serializer = self.category_serializer
        return [serializer.to_representation(category) for category in selectors.research_fields_of(facility)]

    @cached_property
    def category_serializer(self) -> CategorySerializer:
        return CategorySerializer()

    def get_is_stale(self, facility) -> bool:
        return selectors.facility_is_stale(facility)

    @extend_schema_field(ContactPersonSerializer(allow_null=True))
    def get_primary_contact(self, facility):
        contact = selectors.primary_contact(facility)
        return self.contact_serializer.to_representation(contact) if contact else None

    @cached_property
    def contact_serializer(self) -> ContactPersonSerializer:
        # One for the whole list: building a ModelSerializer's fields anew for each row cost more than the query.
        return ContactPersonSerializer()


class FacilityDetailSerializer(FacilitySerializer):
    contacts = ContactPersonSerializer(many=True, read_only=True)
    resources = ResourceSerializer(many=True, read_only=True)
    national_infrastructures = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta(FacilitySerializer.Meta):
        fields = [*FacilitySerializer.Meta.fields, "national_infrastructures", "contacts", "resources"]


class FacilityUpdateSerializer(serializers.ModelSerializer):
    categories = serializers.SlugRelatedField(
        many=True, slug_field="slug", queryset=Category.objects.all(), required=False
    )

    class Meta:
        model = Facility
        fields = [*services.FACILITY_FIELDS, "categories"]


class FacilityCreateSerializer(FacilityUpdateSerializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())

    class Meta(FacilityUpdateSerializer.Meta):
        fields = ["institution", *FacilityUpdateSerializer.Meta.fields]
        extra_kwargs = {"city": {"required": False}}


class InstitutionUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = list(services.INSTITUTION_FIELDS)
