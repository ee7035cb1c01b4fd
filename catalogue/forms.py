from django import forms

from catalogue.models import Category, ContactPerson, Facility, Institution, Resource


def _web_address_field(model):
    return forms.URLField(
        label=model._meta.get_field("web_address").verbose_name, required=False, assume_scheme="https"
    )


class FacilityForm(forms.ModelForm):
    web_address = _web_address_field(Facility)
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.order_by("name_nb"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=Facility._meta.get_field("categories").verbose_name,
    )

    class Meta:
        model = Facility
        fields = [
            "name",
            "kind",
            "description_nb",
            "description_en",
            "categories",
            "keywords",
            "offers_rental",
            "offers_service",
            "offers_commissioned",
            "offers_collaboration",
            "open_to_industry",
            "accreditation",
            "city",
            "campus",
            "web_address",
        ]


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "email", "phone", "is_primary"]


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["kind", "name", "description_nb", "description_en", "bookable", "is_active"]


class InstitutionForm(forms.ModelForm):
    web_address = _web_address_field(Institution)

    class Meta:
        model = Institution
        fields = ["web_address", "industry_access_nb", "industry_access_en"]
