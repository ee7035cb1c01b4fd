"""factory_boy factories shared by all test modules. Each app's helpers may add their own below."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.choices import (
    AffiliationMethod,
    AffiliationState,
    MembershipRole,
    MembershipState,
    RegisterState,
    UserKind,
)
from accounts.models import Affiliation, Organisation, OrganisationMembership, User
from catalogue.choices import FacilityKind, InstitutionKind, InstitutionRoleKind, PublicationStatus, ResourceKind
from catalogue.models import (
    Category,
    ContactPerson,
    Facility,
    FacilityManager,
    Institution,
    InstitutionRole,
    Resource,
)

PASSWORD = "correct-horse-battery-staple"
DEFAULT_COMPANY = "Eksempel AS"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    kind = InstitutionKind.UNIVERSITY
    name = factory.Sequence(lambda n: f"Universitetet nr. {n}")
    short_name = factory.Sequence(lambda n: f"U{n}")
    slug = factory.Sequence(lambda n: f"u{n}")
    city = "Oslo"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Nordmann{n}")
    kind = UserKind.COMPANY
    company_name = DEFAULT_COMPANY
    org_number = "988077917"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, company_name="", org_number="", **kwargs):
        """`company_name` and `org_number` make the user an approved member of that organisation (a new one is
        verified, as if Brønnøysundregistrene had answered); the name is the latest one given for the number other
        than the default, so that a test's "Biotek AS" is not renamed by the next default user."""
        user = super()._create(model_class, *args, **kwargs)
        if company_name or org_number:
            verified = {"register_state": RegisterState.VERIFIED}
            if org_number:
                organisation, _created = Organisation.objects.get_or_create(
                    org_number=org_number, defaults={"name": company_name or org_number, **verified}
                )
            else:
                organisation, _created = Organisation.objects.get_or_create(
                    org_number=None, name=company_name, defaults=verified
                )
            if company_name and company_name != DEFAULT_COMPANY and organisation.name != company_name:
                Organisation.objects.filter(pk=organisation.pk).update(name=company_name)
            OrganisationMembership.objects.create(
                organisation=organisation, user=user, role=MembershipRole.ADMIN, state=MembershipState.APPROVED,
                decided_at=timezone.now(),
            )  # fmt: skip
        return user

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

    @factory.post_generation
    def email_verified(obj, create, extracted, **kwargs):  # noqa: N805
        """A verified, primary allauth address, as every account has once it may book; `email_verified=False`
        for a new account that has not verified its address yet."""
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=extracted is not False)

    @factory.post_generation
    def affiliation_verified(obj, create, extracted, **kwargs):  # noqa: N805
        """A user with an institution has a verified affiliation with it (approved by an admin), as an academic
        has once the internal tier applies; `affiliation_verified=False` leaves the claim waiting."""
        if create and obj.institution_id is not None:
            verified = extracted is not False
            Affiliation.objects.create(
                user=obj,
                institution_id=obj.institution_id,
                state=AffiliationState.VERIFIED if verified else AffiliationState.PENDING,
                method=AffiliationMethod.ADMIN if verified else "",
                claimed_at=timezone.now(),
                decided_at=timezone.now() if verified else None,
            )


class AcademicUserFactory(UserFactory):
    kind = UserKind.ACADEMIC
    company_name = ""
    org_number = ""
    institution = factory.SubFactory(InstitutionFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kategori-{n}")
    name_nb = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    institution = factory.SubFactory(InstitutionFactory)
    kind = FacilityKind.CORE_FACILITY
    name = factory.Sequence(lambda n: f"Kjernefasilitet {n}")
    slug = factory.Sequence(lambda n: f"kjernefasilitet-{n}")
    description_nb = "Avansert utstyr for forskning."
    description_en = "Advanced equipment for research."
    city = factory.SelfAttribute("institution.city")
    offers_rental = True
    offers_service = True
    open_to_industry = True
    status = PublicationStatus.PUBLISHED
    last_verified = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"Kontakt Person {n}")
    role = "Daglig leder"
    email = factory.Sequence(lambda n: f"kontakt{n}@example.org")
    phone = "+47 22 00 00 00"
    is_primary = True


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    facility = factory.SubFactory(FacilityFactory)
    kind = ResourceKind.INSTRUMENT
    name = factory.Sequence(lambda n: f"Konfokalmikroskop {n}")
    description_nb = "Et instrument."
    bookable = True


class FacilityManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilityManager

    user = factory.SubFactory(AcademicUserFactory)
    facility = factory.SubFactory(FacilityFactory)


class InstitutionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionRole

    user = factory.SubFactory(AcademicUserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = InstitutionRoleKind.SCREENER
