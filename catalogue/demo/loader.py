"""Load the demo register and, optionally, the demo users.

Idempotent: every row is found again by its natural key (slugs; a facility's primary contact; a resource's name
within its facility; a user's e-mail), so running the loader twice leaves the same rows. Writes are in bulk (a
fixed number of statements, whatever the number of facilities), and everything happens in one transaction together
with the receivers of `demo_register_loaded` (booking and pricing attach calendars and prices there).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalogue.choices import FacilityKind, PublicationStatus, ResourceKind
from catalogue.demo import records
from catalogue.models import (
    Category,
    ContactPerson,
    Facility,
    Institution,
    NationalInfrastructure,
    Resource,
)
from catalogue.signals import demo_register_loaded
from core.errors import ConflictError

FACILITY_SLUG_LENGTH = 80
# Spread over two years, so that about a third of the entries are older than 12 months and show as possibly
# outdated; the same facility always gets the same age.
VERIFIED_DAYS_AGO_STEP = 47
VERIFIED_DAYS_AGO_RANGE = 560

@dataclass
class DemoRegister:
    """What the loader left in the database: counts for the summary, objects for the signal's receivers."""

    institutions: int = 0
    facilities: int = 0
    categories: int = 0
    contacts: int = 0
    resources: list[Resource] = field(default_factory=list)
    users: list = field(default_factory=list)  # the accounts made by `users_loader`

    @property
    def bookable_resources(self) -> list[Resource]:
        return [resource for resource in self.resources if resource.bookable]


@transaction.atomic
def load_demo_register(*, users_loader: Callable | None = None, today: datetime.date | None = None) -> DemoRegister:
    """Create or update the demo register, then tell the other apps (`demo_register_loaded`), once.

    `users_loader(institutions, facility_by_name)` makes the demo accounts (accounts.demo): institutions by slug,
    facilities by (institution slug, facility name); it returns the users. The catalogue knows no accounts.
    """
    today = today or timezone.localdate()
    facility_records = {_facility_slug(record): record for record in records.FACILITIES}
    if len(facility_records) != len(records.FACILITIES):
        raise ValueError("Two demo facilities have the same slug; rename one in catalogue/demo/records.py.")
    _refuse_to_take_over_real_entries(facility_records)
    categories = upsert_by_key(
        Category,
        "slug",
        [{"slug": slug, "name_nb": nb, "name_en": en} for slug, (nb, en) in records.CATEGORIES.items()],
    )
    infrastructures = upsert_by_key(
        NationalInfrastructure,
        "slug",
        [{"slug": slug, "name": name} for slug, name in records.NATIONAL_INFRASTRUCTURES.items()],
    )
    institutions = upsert_by_key(Institution, "slug", [_institution_row(record) for record in records.INSTITUTIONS])
    facilities = upsert_by_key(
        Facility,
        "slug",
        [
            _facility_row(slug, record, institutions[record.institution], position, today)
            for position, (slug, record) in enumerate(facility_records.items())
        ],
    )
    _sync_links(
        Facility.categories.through,
        "category_id",
        {
            facilities[slug].pk: {categories[category].pk for category in record.categories}
            for slug, record in facility_records.items()
        },
    )
    _sync_links(
        Facility.national_infrastructures.through,
        "nationalinfrastructure_id",
        {
            facilities[slug].pk: {infrastructures[node].pk for node in record.national_infrastructures}
            for slug, record in facility_records.items()
        },
    )
    contacts = _upsert_primary_contacts(list(facilities.values()))
    resources = _upsert_resources(
        [(facilities[slug], spec) for slug, record in facility_records.items() for spec in _resources_for(record)]
    )
    register = DemoRegister(
        institutions=len(institutions),
        facilities=len(facilities),
        categories=len(categories),
        contacts=contacts,
        resources=resources,
    )
    if users_loader is not None:
        facility_by_name = {
            (record.institution, record.name): facilities[slug] for slug, record in facility_records.items()
        }
        register.users = users_loader(institutions, facility_by_name)
    demo_register_loaded.send(
        sender=Resource,
        resources=register.bookable_resources,
        with_demo_users=users_loader is not None,
        users={user.email: user for user in register.users},
    )
    return register


def _refuse_to_take_over_real_entries(facility_records: dict[str, records.FacilityRecord]) -> None:
    """Never turn a real institution into demo data, nor move a real facility: stop with a clear message instead.

    A demo institution is found by its slug; a real one with the same name or short name under another slug
    would otherwise make the insert fail halfway with an IntegrityError.
    """
    slugs = [record.slug for record in records.INSTITUTIONS]
    clashes = list(
        Institution.objects.exclude(slug__in=slugs, is_demo=True)
        .filter(
            models.Q(slug__in=slugs)
            | models.Q(name__in=[record.name for record in records.INSTITUTIONS])
            | models.Q(short_name__in=[record.short_name for record in records.INSTITUTIONS])
        )
        .values_list("name", flat=True)
    )
    clashes += (
        Facility.objects.filter(slug__in=list(facility_records))
        .exclude(institution__slug__in=slugs, institution__is_demo=True)
        .values_list("slug", flat=True)
    )
    clashes += (
        NationalInfrastructure.objects.filter(name__in=records.NATIONAL_INFRASTRUCTURES.values())
        .exclude(slug__in=records.NATIONAL_INFRASTRUCTURES)
        .values_list("name", flat=True)
    )
    if clashes:
        raise ConflictError(
            _(
                "The database already holds entries that are not demo data with the names or slugs the demo "
                "register uses: %(entries)s. Load the demo register into a separate database."
            )
            % {"entries": ", ".join(sorted(clashes))},
            code="demo_register_conflict",
        )


# --- Rows -------------------------------------------------------------------------------------------------------

GENERIC_ACCESS_NB = (
    "Bedrifter får samme tilgang til registeret som interne brukere. Ta kontakt med kontaktpersonen for "
    "fasiliteten, eller send en forespørsel gjennom Labtorget, så sender institusjonens kontaktperson for "
    "næringslivet den videre til riktig fagmiljø. (Demodata.)"
)
GENERIC_ACCESS_EN = (
    "Companies have the same access to the register as internal users. Contact the facility's contact person, or "
    "send a request through Labtorget and the institution's contact for industry routes it to the right group. "
    "(Demo data.)"
)


def _institution_row(record: records.InstitutionRecord) -> dict:
    return {
        "slug": record.slug,
        "kind": record.kind,
        "name": record.name,
        "short_name": record.short_name,
        "city": record.city,
        "region": record.region,
        "web_address": record.web_address,
        "org_number": record.org_number,
        "industry_access_nb": GENERIC_ACCESS_NB,
        "industry_access_en": GENERIC_ACCESS_EN,
        "is_demo": True,
    }


def _slugify(text: str) -> str:
    """Like slugify, but keeps Norwegian letters readable ('Høgskolen' -> 'hogskolen', 'Æ' -> 'ae')."""
    text = text.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O").replace("å", "a")
    return slugify(text.replace("Å", "A"))


def _facility_slug(record: records.FacilityRecord) -> str:
    slug = f"{record.institution}-{_slugify(record.name)}"
    if len(slug) > FACILITY_SLUG_LENGTH:
        slug = slug[:FACILITY_SLUG_LENGTH].rsplit("-", 1)[0]
    return slug


# Access models by kind of facility (report 4.1); hospital labs offer staff-run analyses only.
ACCESS_BY_KIND = {
    FacilityKind.CORE_FACILITY: ("rental", "service", "commissioned", "collaboration"),
    FacilityKind.NATIONAL_NODE: ("rental", "service", "collaboration"),
    FacilityKind.LABORATORY: ("rental", "collaboration"),
    FacilityKind.TEST_BED: ("rental", "service", "commissioned", "collaboration"),
    FacilityKind.SIMULATION_CENTRE: ("rental", "service"),
    FacilityKind.ANIMAL_FACILITY: ("rental", "service", "collaboration"),
    FacilityKind.BIOBANK: ("service", "collaboration"),
    FacilityKind.CLINICAL_RESEARCH_UNIT: ("service", "commissioned", "collaboration"),
}

KIND_WORDS = {
    FacilityKind.CORE_FACILITY: ("Kjernefasilitet", "Core facility"),
    FacilityKind.LABORATORY: ("Laboratorium", "Laboratory"),
    FacilityKind.TEST_BED: ("Testarena", "Test bed"),
    FacilityKind.SIMULATION_CENTRE: ("Simuleringssenter", "Simulation centre"),
    FacilityKind.ANIMAL_FACILITY: ("Forsøksdyrfasilitet", "Animal facility"),
    FacilityKind.BIOBANK: ("Biobank", "Biobank"),
    FacilityKind.CLINICAL_RESEARCH_UNIT: ("Klinisk forskningsenhet", "Clinical research unit"),
    FacilityKind.NATIONAL_NODE: ("Node i nasjonal forskningsinfrastruktur", "National infrastructure node"),
}


def _access_models(record: records.FacilityRecord, institution: Institution) -> tuple[str, ...]:
    if institution.kind == records.HEALTH_TRUST and record.kind == FacilityKind.LABORATORY:
        return ("service", "commissioned")
    if institution.kind == records.CLUSTER:
        return ("rental",)
    return ACCESS_BY_KIND[record.kind]


def _open_to_industry(record: records.FacilityRecord, institution: Institution) -> bool:
    """Small local hospitals keep their spare lab capacity for preparedness (report 3.3); everyone else is open."""
    if institution.kind != records.HEALTH_TRUST:
        return True
    return institution.slug in records.UNIVERSITY_HOSPITALS or institution.slug == "st-olavs-hospital"


def _lower_first(text: str) -> str:
    """'Bildediagnostikk og MR' -> 'bildediagnostikk og MR': mid-sentence, but acronyms intact."""
    return text[:1].lower() + text[1:]


def _generic_description(record: records.FacilityRecord, institution: Institution) -> tuple[str, str]:
    kind_nb, kind_en = KIND_WORDS[record.kind]
    fields_nb = ", ".join(_lower_first(records.CATEGORIES[slug][0]) for slug in record.categories)
    fields_en = ", ".join(_lower_first(records.CATEGORIES[slug][1]) for slug in record.categories)
    return (
        f"{kind_nb} ved {institution.name} innen {fields_nb}. Oppført i Oslo Economics' kartlegging (2020) av "
        "offentlig infrastruktur med relevans for helsenæringen. Kontakt fasiliteten for utstyr, kapasitet og vilkår.",
        f"{kind_en} at {institution.name} in {fields_en}. Listed in Oslo Economics' 2020 survey of public "
        "infrastructure relevant to the health industry. Contact the facility about equipment, capacity and terms.",
    )


def _facility_row(
    slug: str, record: records.FacilityRecord, institution: Institution, position: int, today: datetime.date
) -> dict:
    generic_nb, generic_en = _generic_description(record, institution)
    access = _access_models(record, institution)
    days_ago = (position * VERIFIED_DAYS_AGO_STEP) % VERIFIED_DAYS_AGO_RANGE
    return {
        "slug": slug,
        "institution_id": institution.pk,
        "kind": record.kind,
        "name": record.name,
        "description_nb": record.description_nb or generic_nb,
        "description_en": record.description_en or generic_en,
        "keywords": record.keywords,
        "offers_rental": "rental" in access,
        "offers_service": "service" in access,
        "offers_commissioned": "commissioned" in access,
        "offers_collaboration": "collaboration" in access,
        "open_to_industry": _open_to_industry(record, institution),
        "accreditation": record.accreditation,
        "city": record.city or institution.city,
        "campus": record.campus,
        "web_address": "",
        "last_verified": today - datetime.timedelta(days=days_ago),
        "status": PublicationStatus.PUBLISHED,
    }


def _resources_for(record: records.FacilityRecord) -> tuple[records.ResourceRecord, ...]:
    """The record's own resources; at UiO, NTNU, UiB and UiT a typical one for the kind of facility otherwise."""
    if record.resources or record.institution not in records.INSTITUTIONS_WITH_RESOURCES:
        return record.resources
    return records.typical_resources(record)


# --- Bulk writes ------------------------------------------------------------------------------------------------


def upsert_by_key(model: type[models.Model], key: str, rows: list[dict]) -> dict[str, models.Model]:
    """Create the missing rows and update the changed ones, found by the unique field `key`; two or three queries."""
    keys = [row[key] for row in rows]
    existing = model.objects.in_bulk(keys, field_name=key)
    to_create, to_update = [], []
    for row in rows:
        instance = existing.get(row[key])
        if instance is None:
            to_create.append(model(**row))
            continue
        changed = False
        for name, value in row.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        if changed:
            to_update.append(instance)
    model.objects.bulk_create(to_create)
    if to_update:
        fields = [model._meta.get_field(name).name for name in rows[0] if name != key]
        model.objects.bulk_update(to_update, fields, batch_size=200)
    return model.objects.in_bulk(keys, field_name=key)


def _sync_links(through: type[models.Model], target: str, wanted: dict[int, set[int]]) -> None:
    """Make a many-to-many field of the given facilities hold exactly the wanted targets."""
    existing: dict[int, set[int]] = {facility_id: set() for facility_id in wanted}
    for facility_id, target_id in through.objects.filter(facility_id__in=wanted).values_list("facility_id", target):
        existing[facility_id].add(target_id)
    for facility_id, targets in existing.items():
        extra = targets - wanted[facility_id]
        if extra:
            through.objects.filter(facility_id=facility_id, **{f"{target}__in": extra}).delete()
    through.objects.bulk_create(
        [
            through(facility_id=facility_id, **{target: target_id})
            for facility_id, targets in wanted.items()
            for target_id in sorted(targets - existing[facility_id])
        ]
    )


def fictional_contact(facility: Facility, number: int) -> dict:
    """A made-up person with an example.org address and a phone number from a range no one answers.

    The address's local part is cut to the 64 characters an e-mail address may have there (RFC 5321)."""
    first = records.FIRST_NAMES[number % len(records.FIRST_NAMES)]
    last = records.LAST_NAMES[(number // len(records.FIRST_NAMES)) % len(records.LAST_NAMES)]
    return {
        "name": f"{first} {last}",
        "role": "Kontaktperson (fiktiv, demodata)",
        "email": f"kontakt.{facility.slug[:56].rstrip('-')}@example.org",
        "phone": f"+47 400 {number // 1000:02d} {number % 1000:03d}",
    }


def _upsert_primary_contacts(facilities: list[Facility]) -> int:
    existing = {
        contact.facility_id: contact
        for contact in ContactPerson.objects.filter(facility__in=facilities, is_primary=True)
    }
    to_create, to_update = [], []
    for number, facility in enumerate(sorted(facilities, key=lambda facility: facility.slug), start=1):
        wanted = fictional_contact(facility, number)
        contact = existing.get(facility.pk)
        if contact is None:
            to_create.append(ContactPerson(facility=facility, is_primary=True, **wanted))
        elif any(getattr(contact, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(contact, name, value)
            to_update.append(contact)
    ContactPerson.objects.bulk_create(to_create)
    if to_update:
        ContactPerson.objects.bulk_update(to_update, ["name", "role", "email", "phone"], batch_size=200)
    return len(facilities)


def _upsert_resources(specs: Iterable[tuple[Facility, records.ResourceRecord]]) -> list[Resource]:
    specs = list(specs)
    facility_ids = {facility.pk for facility, _spec in specs}
    existing = {
        (resource.facility_id, resource.name): resource
        for resource in Resource.objects.filter(facility_id__in=facility_ids)
    }
    to_create, to_update = [], []
    for facility, spec in specs:
        wanted = {
            "kind": spec.kind,
            "description_nb": spec.description_nb,
            "description_en": spec.description_en,
            "bookable": spec.kind in (ResourceKind.INSTRUMENT, ResourceKind.ROOM),
            "is_active": True,
        }
        resource = existing.get((facility.pk, spec.name))
        if resource is None:
            to_create.append(Resource(facility=facility, name=spec.name, **wanted))
        elif any(getattr(resource, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(resource, name, value)
            to_update.append(resource)
    Resource.objects.bulk_create(to_create)
    if to_update:
        Resource.objects.bulk_update(to_update, list(wanted), batch_size=200)
    wanted_keys = {(facility.pk, spec.name) for facility, spec in specs}
    return [
        resource
        for resource in Resource.objects.filter(facility_id__in=facility_ids).select_related("facility")
        if (resource.facility_id, resource.name) in wanted_keys
    ]
