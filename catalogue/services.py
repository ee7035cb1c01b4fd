"""Writes for the catalogue: facilities, contacts, resources, publishing, verification and reminders.

Services check who may make the change (`catalogue.policies`, for the `actor`: a person, or
`core.policies.OPERATOR` for a command run on the server), then the business rules, and keep the data whole
(`transaction.atomic`). Pages and the API call them without checking the same permission again.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalogue import emails, policies, roles, selectors
from catalogue.choices import PublicationStatus
from catalogue.models import Category, ContactPerson, Facility, Institution, Resource
from core.errors import ConflictError, DomainError
from core.outbox import QueuedEmail, emails_queue
from core.policies import require

# What the portal and the API may change, in the order the forms show it (categories are set separately).
FACILITY_FIELDS = (
    "kind",
    "name",
    "description_nb",
    "description_en",
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
)
CONTACT_FIELDS = ("name", "role", "email", "phone", "is_primary")
INSTITUTION_FIELDS = ("web_address", "industry_access_nb", "industry_access_en")
RESOURCE_FIELDS = ("kind", "name", "description_nb", "description_en", "bookable", "is_active")


def _unique_slug(model, text: str, *, max_length: int) -> str:
    base = slugify(text)[: max_length - 6] or "oppforing"
    slug, counter = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _apply(instance, fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(_("This field cannot be changed here."), field=name, code="unknown_field")
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def institution_update(*, institution: Institution, actor, **fields) -> Institution:
    """Change the institution's page: web address and how companies get access."""
    require(policies.can_manage_institution, actor, institution)
    _apply(institution, fields, INSTITUTION_FIELDS)
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def facility_create(
    *, institution: Institution, actor, name: str, categories: list[Category] | None = None, **fields
) -> Facility:
    """A new facility, as a draft until it has a primary contact and is published."""
    require(policies.can_create_facility, actor, institution)
    facility = Facility(institution=institution, name=name, status=PublicationStatus.DRAFT)
    fields.setdefault("city", institution.city)
    _apply(facility, fields, FACILITY_FIELDS)
    facility.slug = _unique_slug(Facility, f"{institution.short_name} {name}", max_length=120)
    facility.full_clean()
    facility.save()
    if categories is not None:
        facility.categories.set(categories)
    return facility


@transaction.atomic
def facility_update(
    *, facility: Facility, actor, categories: list[Category] | None = None, **fields
) -> Facility:
    """Change the entry. A published facility stays published; its contacts are checked on publish."""
    require(policies.can_edit_facility, actor, facility)
    _apply(facility, fields, FACILITY_FIELDS)
    facility.full_clean()
    facility.save()
    if categories is not None:
        facility.categories.set(categories)
    return facility


@transaction.atomic
def facility_publish(*, facility: Facility, actor) -> Facility:
    """Make the entry public. Refused until the facility has a primary contact person."""
    require(policies.can_publish_facility, actor, facility)
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    if not facility.contacts.filter(is_primary=True).exists():
        raise DomainError(
            _("A facility cannot be published without a primary contact person."),
            field="contacts",
            code="no_primary_contact",
        )
    facility.status = PublicationStatus.PUBLISHED
    if facility.last_verified is None:
        facility.last_verified = timezone.localdate()
    facility.save(update_fields=["status", "last_verified", "updated_at"])
    return facility


@transaction.atomic
def facility_unpublish(*, facility: Facility, actor) -> Facility:
    """Take the entry back to a draft, hidden from the public."""
    require(policies.can_publish_facility, actor, facility)
    facility.status = PublicationStatus.DRAFT
    facility.save(update_fields=["status", "updated_at"])
    return facility


@transaction.atomic
def facility_mark_verified(*, facility: Facility, actor, today: datetime.date | None = None) -> Facility:
    """One click: the manager confirms that the entry is correct today."""
    require(policies.can_verify_facility, actor, facility)
    facility.last_verified = today or timezone.localdate()
    facility.freshness_reminder_sent_on = None
    facility.save(update_fields=["last_verified", "freshness_reminder_sent_on", "updated_at"])
    return facility


def _save_contact(contact: ContactPerson) -> ContactPerson:
    contact.full_clean(validate_constraints=False)
    if contact.is_primary:
        # Only one primary contact: the new primary takes over.
        ContactPerson.objects.filter(facility_id=contact.facility_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as error:
        raise ConflictError(_("A facility has only one primary contact person."), field="is_primary") from error
    return contact


@transaction.atomic
def contact_create(*, facility: Facility, actor, **fields) -> ContactPerson:
    """Add a contact person. The first contact of a facility becomes its primary contact."""
    require(policies.can_edit_facility, actor, facility)
    contact = ContactPerson(facility=facility)
    _apply(contact, fields, CONTACT_FIELDS)
    if not facility.contacts.filter(is_primary=True).exists():
        contact.is_primary = True
    return _save_contact(contact)


@transaction.atomic
def contact_update(*, contact: ContactPerson, actor, **fields) -> ContactPerson:
    """Change a contact person; the primary contact of a published facility stays until another one is primary."""
    require(policies.can_edit_facility, actor, contact.facility)
    was_primary = contact.is_primary
    _apply(contact, fields, CONTACT_FIELDS)
    if was_primary and not contact.is_primary and contact.facility.is_published:
        raise DomainError(
            _("A published facility needs a primary contact person. Make another contact primary instead."),
            field="is_primary",
            code="primary_contact_required",
        )
    return _save_contact(contact)


@transaction.atomic
def contact_delete(*, contact: ContactPerson, actor) -> None:
    """Remove a contact. The primary contact of a published facility stays until another one is primary."""
    require(policies.can_edit_facility, actor, contact.facility)
    if contact.is_primary and contact.facility.is_published:
        raise DomainError(
            _("A published facility needs a primary contact person. Make another contact primary first."),
            field="is_primary",
            code="primary_contact_required",
        )
    contact.delete()


@transaction.atomic
def resource_create(*, facility: Facility, actor, **fields) -> Resource:
    """Add an instrument, room or service to the facility."""
    require(policies.can_edit_facility, actor, facility)
    resource = Resource(facility=facility)
    _apply(resource, fields, RESOURCE_FIELDS)
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, actor, **fields) -> Resource:
    """Change a resource of the facility."""
    require(policies.can_edit_facility, actor, resource.facility)
    _apply(resource, fields, RESOURCE_FIELDS)
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, actor) -> bool:
    """Delete a resource; one with history (bookings) is retired instead. Returns True when deleted."""
    require(policies.can_edit_facility, actor, resource.facility)
    try:
        with transaction.atomic():
            resource.delete()
    except ProtectedError:
        resource.is_active = False
        resource.bookable = False
        resource.save(update_fields=["is_active", "bookable"])
        return False
    return True


@transaction.atomic
def freshness_reminders_send(*, today: datetime.date | None = None) -> int:
    """E-mail the managers of stale published facilities, one e-mail each listing their facilities, in each
    manager's language (queued in the outbox, sent after the commit).

    A facility is reminded about at most once every CATALOGUE_REMINDER_INTERVAL_DAYS; the date is stored on
    the facility and cleared when it is verified. Returns the number of e-mails queued.
    """
    today = today or timezone.localdate()
    interval = datetime.timedelta(days=settings.CATALOGUE_REMINDER_INTERVAL_DAYS)
    due = (
        selectors.stale_published_facilities(today)
        .filter(Q(freshness_reminder_sent_on__isnull=True) | Q(freshness_reminder_sent_on__lte=today - interval))
        .select_related("institution")
        .prefetch_related("managers__user")
        .order_by("name")
    )
    by_user: dict = defaultdict(list)
    users = {}
    for facility in due:
        for user in roles.responsible_people(facility):
            users[user.pk] = user
            by_user[user.pk].append(facility)
    reminders = [
        QueuedEmail(emails.FRESHNESS_REMINDER, user_pk, {"facilities": [facility.pk for facility in facilities]})
        for user_pk, facilities in by_user.items()
        if users[user_pk].email
    ]
    emails_queue(emails=reminders)
    reminded = {facility.pk for facilities in by_user.values() for facility in facilities}
    Facility.objects.filter(pk__in=reminded).update(freshness_reminder_sent_on=today)
    return len(reminders)
