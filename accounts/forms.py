from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import Language, UserKind
from accounts.services.organisations import organisation_precheck
from catalogue.models import Institution
from core.errors import DomainError
from core.validators import normalise_org_number, validate_org_number


class AffiliationForm(forms.Form):
    """Academic users pick their institution (a claim, verified later); company users join organisations."""

    kind = forms.ChoiceField(label=_("I am"), choices=UserKind.choices, widget=forms.RadioSelect)
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("name"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == UserKind.ACADEMIC and not cleaned.get("institution"):
            self.add_error("institution", _("Academic users pick their institution."))
        return cleaned


class OrganisationNumberForm(forms.Form):
    """The organisation a company user acts for: its number, checked in Brønnøysundregistrene."""

    org_number = forms.CharField(
        label=_("Organisation number"), max_length=20, required=False, help_text=_("9 digits, e.g. 988 077 917.")
    )
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        required=False,
        help_text=_("Only needed when Brønnøysundregistrene cannot be reached; the register's name is used."),
    )

    def clean_org_number(self):
        value = normalise_org_number(self.cleaned_data.get("org_number", ""))
        if value:
            validate_org_number(value)
        return value

    def check_organisation(self, cleaned) -> None:
        """The number must exist in the register and be neither deleted nor bankrupt (nothing is saved here)."""
        if not cleaned.get("org_number"):
            if "org_number" not in self.errors:
                self.add_error("org_number", _("Company users give the company's organisation number."))
            return
        try:
            organisation_precheck(org_number=cleaned["org_number"], name=cleaned.get("company_name", ""))
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else "org_number", str(error))


class JoinOrganisationForm(OrganisationNumberForm):
    def clean(self):
        cleaned = super().clean()
        self.check_organisation(cleaned)
        return cleaned


class SignupProfileForm(AffiliationForm, OrganisationNumberForm):
    """The portal's questions on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): allauth adds e-mail address
    and password; accounts.adapters.AccountAdapter.save_user stores these fields with the new user."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    language = forms.ChoiceField(label=_("Language for e-mail"), choices=Language.choices, initial="nb")

    field_order = ["kind", "first_name", "last_name", "email", "password1", "company_name", "org_number",
                   "institution", "language"]  # fmt: skip

    PROFILE_FIELDS = ("first_name", "last_name", "kind", "company_name", "org_number", "institution", "language")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == UserKind.COMPANY:
            self.check_organisation(cleaned)
        return cleaned

    def signup(self, request, user) -> None:
        """allauth calls this after saving the user; the profile was saved with the user already."""


class ProfileForm(AffiliationForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language for e-mail"), choices=Language.choices)

    field_order = ["first_name", "last_name", "phone", "language", "kind", "institution"]


class ApiTokenForm(forms.Form):
    """A new personal API token, named so that its owner can tell it from the others."""

    name = forms.CharField(
        label=pgettext_lazy("API token", "Name"),
        max_length=100,
        required=False,
        help_text=_("For example the script or machine that uses it."),
    )


class AffiliationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False)


class InstitutionDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"), max_length=253, help_text=_("E-mail and Feide domain, e.g. uio.no (each subdomain apart).")
    )


class ClusterMemberForm(forms.Form):
    """A cluster's or TTO's admin adds a member company by its organisation number."""

    org_number = forms.CharField(label=_("Organisation number of the member company"), max_length=20)
    name = forms.CharField(
        label=_("Company name"), max_length=200, required=False,
        help_text=_("Only needed when Brønnøysundregistrene cannot be reached; the register's name is used."),
    )  # fmt: skip

    def clean_org_number(self):
        value = normalise_org_number(self.cleaned_data["org_number"])
        validate_org_number(value)
        return value
