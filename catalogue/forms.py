from django import forms

from catalogue import services
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

    field_order = ["name", "kind", "description_nb", "description_en", "categories"]

    class Meta:
        model = Facility
        fields = [*services.FACILITY_FIELDS, "categories"]


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = list(services.CONTACT_FIELDS)


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = list(services.RESOURCE_FIELDS)


class InstitutionForm(forms.ModelForm):
    web_address = _web_address_field(Institution)

    class Meta:
        model = Institution
        fields = list(services.INSTITUTION_FIELDS)
