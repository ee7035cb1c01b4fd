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

    def to_representation(self, facility):
        """The declared fields, written out (tests/catalogue/test_api.py compares this with DRF's field-by-field
        answer): for a page of 50 search results DRF's pass over some 35 fields a row took longer than reading the
        rows from the database."""
        institution = facility.institution
        contact = selectors.primary_contact(facility)
        return {
            "id": facility.id,
            "slug": facility.slug,
            "institution": {
                "id": institution.id,
                "slug": institution.slug,
                "short_name": _text(institution.short_name),
                "name": institution.name,
                "region": _text(institution.region),
            },
            "kind": _text(facility.kind),
            "name": facility.name,
            "description_nb": facility.description_nb,
            "description_en": facility.description_en,
            "categories": [
                {"slug": field.slug, "name_nb": field.name_nb, "name_en": _text(field.name_en)}
                for field in selectors.research_fields_of(facility)
            ],
            "keywords": facility.keywords,
            "access_models": [str(model) for model in facility.access_models],
            "open_to_industry": facility.open_to_industry,
            "accreditation": _text(facility.accreditation),
            "city": facility.city,
            "campus": facility.campus,
            "web_address": facility.web_address,
            "status": _text(facility.status),
            "last_verified": facility.last_verified.isoformat() if facility.last_verified else None,
            "is_stale": selectors.facility_is_stale(facility),
            "primary_contact": (
                {
                    "id": contact.id,
                    "facility": contact.facility_id,
                    "name": contact.name,
                    "role": _text(contact.role),
                    "email": _text(contact.email),
                    "phone": _text(contact.phone),
                    "is_primary": contact.is_primary,
                }
                if contact
                else None
            ),
        }

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

    def to_representation(self, facility):
        # One facility with its contacts and resources: DRF's field-by-field pass (the list's shortcut does not
        # know the detail's fields).
        return serializers.ModelSerializer.to_representation(self, facility)


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


def _text(value):
    """A text field as DRF's CharField gives it: None stays None, a choice is its value."""
    return None if value is None else str(value)
