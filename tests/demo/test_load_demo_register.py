"""The demo register as an operator and a visitor see it: what gets loaded, and that loading twice changes nothing."""

import datetime

import pytest
from django.core.management import CommandError
from django.utils import timezone

from accounts.demo import demo_register_load as load_demo_register
from catalogue.choices import InstitutionKind, PublicationStatus, ResourceKind
from catalogue.demo import records
from catalogue.models import (
    Category,
    ContactPerson,
    Facility,
    FacilityManager,
    Institution,
    InstitutionRole,
    NationalInfrastructure,
    Resource,
)
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

TABLE_A1_HEALTH_TRUSTS = {
    "helse-forde", "helse-bergen", "helse-fonna", "helse-stavanger", "helse-more-og-romsdal", "st-olavs-hospital",
    "helse-nord-trondelag", "helgelandssykehuset", "finnmarkssykehuset", "nordlandssykehuset", "unn", "ahus", "ous",
    "sykehuset-i-vestfold", "sykehuset-innlandet", "sykehuset-telemark", "sykehuset-ostfold", "sorlandet-sykehus",
    "vestre-viken", "sunnaas",
}  # fmt: skip


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Institution,
            Facility,
            Category,
            NationalInfrastructure,
            ContactPerson,
            Resource,
            Facility.categories.through,
            Facility.national_infrastructures.through,
            InstitutionRole,
            FacilityManager,
        )
    }


def test_loads_the_institutions_of_the_report_as_demo_data(load):
    load()

    institutions = Institution.objects.all()
    assert institutions.count() >= 20
    assert all(institution.is_demo for institution in institutions)
    slugs = set(institutions.values_list("slug", flat=True))
    assert TABLE_A1_HEALTH_TRUSTS <= slugs
    assert {"uio", "ntnu", "uib", "uit", "nmbu", "oslomet", "oslo-cancer-cluster", "sharelab"} <= slugs
    kinds = set(institutions.values_list("kind", flat=True))
    assert {InstitutionKind.UNIVERSITY, InstitutionKind.UNIVERSITY_COLLEGE, InstitutionKind.HEALTH_TRUST} <= kinds
    assert InstitutionKind.CLUSTER in kinds
    assert all(institution.city and institution.region for institution in institutions)


def test_loads_at_least_150_published_facilities_with_kind_city_and_fields(load):
    load()

    facilities = Facility.objects.prefetch_related("categories")
    assert facilities.count() >= 150
    for facility in facilities:
        assert facility.status == PublicationStatus.PUBLISHED
        assert facility.kind and facility.city
        assert facility.description_nb and facility.description_en
        assert facility.access_models, facility.slug
        categories = list(facility.categories.all())
        assert categories, facility.slug
        assert all(category.name_nb and category.name_en for category in categories)


def test_every_facility_has_one_fictional_primary_contact_under_example_org(load):
    load()

    primaries = ContactPerson.objects.filter(is_primary=True).select_related("facility")
    assert primaries.count() == Facility.objects.count()
    for contact in primaries:
        assert contact.email == f"kontakt.{contact.facility.slug[:56].rstrip('-')}@example.org"
        assert len(contact.email.split("@")[0]) <= 64  # a valid e-mail address (RFC 5321), as the API promises
        assert contact.phone.startswith("+47 400 ")
        assert "fiktiv" in contact.role
    assert not ContactPerson.objects.exclude(email__endswith="@example.org").exists()


def test_the_report_s_text_and_national_infrastructures_are_on_the_facilities(load):
    load()

    seven_tesla = Facility.objects.get(slug="ntnu-norwegian-7t-mr-center")
    assert list(seven_tesla.national_infrastructures.values_list("slug", flat=True)) == ["norbrain"]
    assert "NORBRAIN" in seven_tesla.description_nb
    biobank = Facility.objects.get(slug="unn-forskningsbiobank-unn")
    assert biobank.national_infrastructures.filter(slug="biobank-norge").exists()
    assert Facility.objects.filter(national_infrastructures__slug="norcrin").count() >= 6
    assert Facility.objects.get(slug="uib-dyreavdelingen").accreditation == "AAALAC International"


def test_some_entries_are_older_than_twelve_months_so_the_freshness_flag_shows(load):
    load()

    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    stale = Facility.objects.filter(last_verified__lt=year_ago).count()
    fresh = Facility.objects.filter(last_verified__gte=year_ago).count()
    assert stale >= 20 and fresh >= 20
    assert not Facility.objects.filter(last_verified__isnull=True).exists()


def test_facilities_at_uio_ntnu_uib_and_uit_have_resources_bookable_unless_a_service(load):
    load()

    for slug in records.INSTITUTIONS_WITH_RESOURCES:
        facilities = Facility.objects.filter(institution__slug=slug)
        assert facilities.exists()
        assert not facilities.filter(resources__isnull=True).exists(), slug
    resources = Resource.objects.filter(facility__institution__slug__in=records.INSTITUTIONS_WITH_RESOURCES)
    assert resources.filter(kind=ResourceKind.INSTRUMENT).exists()
    assert resources.filter(kind=ResourceKind.ROOM).exists()
    assert not resources.exclude(description_nb="").filter(description_en="").exists()
    for resource in Resource.objects.all():
        assert resource.bookable == (resource.kind != ResourceKind.SERVICE), resource


def test_loading_twice_gives_the_same_rows(load, demo_register_signals):
    load("--with-demo-users")
    counts = table_counts()
    facility_ids = set(Facility.objects.values_list("pk", flat=True))
    resource_ids = set(Resource.objects.values_list("pk", flat=True))

    load("--with-demo-users")

    assert table_counts() == counts
    assert set(Facility.objects.values_list("pk", flat=True)) == facility_ids
    assert set(Resource.objects.values_list("pk", flat=True)) == resource_ids
    assert ContactPerson.objects.values("facility").distinct().count() == ContactPerson.objects.count()


def test_loading_again_restores_a_changed_demo_entry(load):
    load()
    facility = Facility.objects.get(slug="uib-the-proteomics-unit-probe")
    facility.name = "Endret navn"
    facility.save()
    facility.categories.add(Category.objects.get(slug="patologi"))
    facility.contacts.update(email="someone@example.com")
    Resource.objects.filter(facility=facility, name="Massespektrometer").delete()

    load()

    facility.refresh_from_db()
    assert facility.name == "The Proteomics Unit (PROBE)"
    assert list(facility.categories.values_list("slug", flat=True)) == ["proteomikk"]
    assert facility.contacts.get().email == "kontakt.uib-the-proteomics-unit-probe@example.org"
    assert facility.resources.filter(name="Massespektrometer", bookable=True).exists()


def test_the_loader_writes_in_bulk(django_assert_max_num_queries):
    """A constant number of queries, not a few per facility."""
    with django_assert_max_num_queries(50):
        load_demo_register(with_demo_users=True, password="x")
    with django_assert_max_num_queries(50):
        load_demo_register(with_demo_users=True, password="x")


def test_the_summary_counts_what_was_loaded(load):
    output = load()  # commands speak the site's language, Bokmål

    assert f"{Institution.objects.count()} institusjoner" in output
    assert f"{Facility.objects.count()} fasiliteter" in output
    assert f"{Resource.objects.count()} ressurser" in output
    assert "example.org" not in output


def test_signal_is_sent_once_per_run_with_the_bookable_demo_resources(load, demo_register_signals):
    load()
    assert len(demo_register_signals) == 1
    sent = demo_register_signals[0]
    assert sent["with_demo_users"] is False
    assert sent["users"] == {}
    assert {resource.pk for resource in sent["resources"]} == set(
        Resource.objects.filter(bookable=True).values_list("pk", flat=True)
    )
    assert all(resource.facility.institution.is_demo for resource in sent["resources"])

    load("--with-demo-users")
    assert len(demo_register_signals) == 2
    assert demo_register_signals[1]["with_demo_users"] is True
    assert "demo.leder.uio@example.org" in demo_register_signals[1]["users"]


def test_a_failing_receiver_leaves_nothing_half_written(load):
    from catalogue.signals import demo_register_loaded

    def broken_receiver(sender, **kwargs):
        raise RuntimeError("price list failed")

    demo_register_loaded.connect(broken_receiver, weak=False)
    try:
        with pytest.raises(RuntimeError):
            load("--with-demo-users")
    finally:
        demo_register_loaded.disconnect(broken_receiver)
    assert not Institution.objects.exists()
    assert not Facility.objects.exists()


def test_a_real_institution_with_a_demo_name_is_never_taken_over(load):
    InstitutionFactory(name="Universitetet i Oslo", short_name="UiO-ekte", slug="universitetet-i-oslo")

    with pytest.raises(CommandError, match="Universitetet i Oslo"):
        load()

    assert Institution.objects.count() == 1
    assert not Institution.objects.filter(is_demo=True).exists()


def test_a_national_infrastructure_entered_by_hand_under_another_slug_stops_the_load(load):
    NationalInfrastructure.objects.create(slug="norbrain-hand", name="NORBRAIN")

    with pytest.raises(CommandError, match="NORBRAIN"):
        load()

    assert not Facility.objects.exists()


def test_an_existing_national_infrastructure_with_the_demo_slug_is_reused(load):
    existing = NationalInfrastructure.objects.create(slug="norbrain", name="Norwegian Brain Initiative")

    load()

    assert NationalInfrastructure.objects.get(slug="norbrain").pk == existing.pk
    assert existing.facilities.count() >= 3
