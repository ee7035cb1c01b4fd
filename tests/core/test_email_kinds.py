"""Every kind of e-mail an app registers reaches a person: queued for a realistic object, it is sent to the real
address of whom it is meant for, with a subject and a body. A kind registered without a case here fails the first
test, so a new kind cannot go out untested."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounting.selectors import current_year
from catalogue.choices import InstitutionRoleKind
from core import outbox
from core.models import OutgoingEmail
from core.outbox import email_queue, outbox_send_due
from intake.choices import AuthorRole, RequestStatus
from intake.models import RequestEvent, RequestMessage, Routing
from tests.booking.factories import BookingFactory, ServiceOrderFactory
from tests.factories import FacilityFactory, FacilityManagerFactory, InstitutionRoleFactory, UserFactory
from tests.intake.factories import IntakeRequestFactory
from tests.pricing.factories import CostBaseFactory, PriceListFactory, PriceListItemFactory

pytestmark = pytest.mark.django_db


def booking_to_its_user(status: str):
    def build():
        booking = BookingFactory(
            status=status, user=UserFactory(language="en"), start=timezone.now() + datetime.timedelta(days=1)
        )
        return booking.pk, {}, [booking.user.email]

    return build


def service_order_to_who_ordered(status: str):
    def build():
        order = ServiceOrderFactory(status=status, user=UserFactory(language="en"))
        return order.pk, {}, [order.user.email]

    return build


def booking_request_to_the_managers():
    booking = BookingFactory(status="pending", start=timezone.now() + datetime.timedelta(days=3))
    manager = FacilityManagerFactory(facility=booking.resource.facility).user
    return booking.pk, {}, [manager.email]


def intake_request_to_the_requester():
    request = IntakeRequestFactory(status=RequestStatus.AWAITING_CONFIRMATION, confirmation_token="t0ken")
    return request.pk, {}, [request.email]


def intake_status_to_the_requester():
    request = IntakeRequestFactory(status=RequestStatus.NEEDS_INFO)
    event = RequestEvent.objects.create(
        request=request, from_status=RequestStatus.IN_SCREENING, to_status=RequestStatus.NEEDS_INFO, reason="Mer?"
    )
    return event.pk, {}, [request.email]


def intake_message_to_the_requester():
    request = IntakeRequestFactory()
    message = RequestMessage.objects.create(
        request=request, body="Hvor mange prøver?", author_role=AuthorRole.SCREENER, author_label="Screener"
    )
    return message.pk, {}, [request.email]


def intake_routing_to_the_managers():
    request = IntakeRequestFactory(status=RequestStatus.ROUTED)
    facility = FacilityFactory(institution=request.institution)
    manager = FacilityManagerFactory(facility=facility).user
    routing = Routing.objects.create(request=request, facility=facility)
    return routing.pk, {}, [manager.email]


def intake_request_to_the_screeners():
    request = IntakeRequestFactory(deadline_at=timezone.now() + datetime.timedelta(hours=5))
    screener = InstitutionRoleFactory(institution=request.institution, role=InstitutionRoleKind.SCREENER).user
    return request.pk, {}, [screener.email]


def intake_overdue_request_to_the_admins():
    """Overdue in an institution's own queue (it has a screener): its admins are above the queue."""
    request = IntakeRequestFactory(deadline_at=timezone.now() - datetime.timedelta(hours=1))
    InstitutionRoleFactory(institution=request.institution, role=InstitutionRoleKind.SCREENER)
    admin = InstitutionRoleFactory(institution=request.institution, role=InstitutionRoleKind.ADMIN).user
    return request.pk, {}, [admin.email]


def intake_proposal_decision_to_the_managers():
    request = IntakeRequestFactory(status=RequestStatus.ACCEPTED)
    facility = FacilityFactory(institution=request.institution)
    manager = FacilityManagerFactory(facility=facility).user
    routing = Routing.objects.create(
        request=request, facility=facility, status="accepted", proposal_kind="quote", requester_decision="accepted"
    )
    return routing.pk, {}, [manager.email]


def stale_entries_to_their_manager():
    facility = FacilityFactory(last_verified=None)
    manager = FacilityManagerFactory(facility=facility).user
    return manager.pk, {"facilities": [facility.pk]}, [manager.email]


def state_aid_alert_to_the_institution_admin():
    """16 economic hours of 100 this year: past the 15 % warning line."""
    year = current_year()
    booking = BookingFactory(charged=True, start=datetime.datetime(year, 1, 5, 9, tzinfo=datetime.UTC), hours=16)
    CostBaseFactory(resource=booking.resource, year=year, capacity_units=100)
    role = InstitutionRoleFactory(institution=booking.resource.facility.institution, role=InstitutionRoleKind.ADMIN)
    return role.pk, {"year": year, "resources": [booking.resource_id]}, [role.user.email]


def blocked_prices_to_the_facility_managers():
    """A 2026 cost base of 550 NOK an hour under a list that sells economic hours at 500."""
    price_list = PriceListFactory(valid_from=timezone.localdate(), valid_to=None)
    PriceListItemFactory(price_list=price_list, price=500, blocked_reason="below_floor", blocked_floor="577.50",
                         blocked_cost_base_year=timezone.localdate().year)  # fmt: skip
    CostBaseFactory(resource=price_list.resource, year=timezone.localdate().year)
    manager = FacilityManagerFactory(facility=price_list.resource.facility).user
    return price_list.pk, {}, [manager.email]


def agreement_proposal_to_the_facility_managers():
    from tests.pricing.factories import CollaborationAgreementFactory

    agreement = CollaborationAgreementFactory(status="proposed", participants=[UserFactory()])
    manager = FacilityManagerFactory(facility=agreement.facility).user
    return agreement.pk, {}, [manager.email]


def agreement_decision_to_the_proposer_and_participants():
    from tests.pricing.factories import CollaborationAgreementFactory

    proposer, colleague = UserFactory(), UserFactory()
    agreement = CollaborationAgreementFactory(proposed_by=proposer, participants=[proposer, colleague])
    return agreement.pk, {}, [proposer.email, colleague.email]


def stale_feed_to_the_facility_managers():
    from calendars.models import ExternalCalendar
    from tests.factories import ResourceFactory

    resource = ResourceFactory()
    manager = FacilityManagerFactory(facility=resource.facility).user
    calendar = ExternalCalendar.objects.create(
        resource=resource, name="BookitLab", url="https://bookitlab.example.org/feed.ics",
        stale_notified_at=timezone.now(), error_code="timeout",
    )  # fmt: skip
    return calendar.pk, {}, [manager.email]


def affiliation_waiting_to_the_institution_admins():
    from accounts.models import Affiliation
    from tests.factories import AcademicUserFactory

    claimant = AcademicUserFactory(affiliation_verified=False)
    admin = InstitutionRoleFactory(institution=claimant.institution, role=InstitutionRoleKind.ADMIN).user
    return Affiliation.objects.get(user=claimant).pk, {}, [admin.email]


def affiliation_decided_to_the_person():
    from accounts.models import Affiliation
    from tests.factories import AcademicUserFactory

    person = AcademicUserFactory()  # verified by an admin
    return Affiliation.objects.get(user=person).pk, {}, [person.email]


def membership_waiting_to_the_organisation_admins():
    from accounts.models import Organisation, OrganisationMembership

    organisation = Organisation.objects.create(org_number="988077917", name="Demo Helse AS", register_state="verified")
    admin = UserFactory(company_name="", org_number="")
    OrganisationMembership.objects.create(organisation=organisation, user=admin, role="admin", state="approved")
    waiting = OrganisationMembership.objects.create(
        organisation=organisation, user=UserFactory(company_name="", org_number=""), state="pending"
    )
    return waiting.pk, {}, [admin.email]


def membership_decided_to_the_person():
    from accounts.models import Organisation, OrganisationMembership

    organisation = Organisation.objects.create(org_number="988077917", name="Demo Helse AS", register_state="verified")
    person = UserFactory(company_name="", org_number="")
    decided = OrganisationMembership.objects.create(organisation=organisation, user=person, state="approved")
    return decided.pk, {}, [person.email]


def cluster_member_added_to_the_company_admins():
    from accounts.models import ClusterMember, Organisation

    cluster = Organisation.objects.create(org_number="910000004", name="OCC", kind="cluster", register_state="verified")
    admin = UserFactory(company_name="Demo Helse AS", org_number="988077917")
    member = ClusterMember.objects.create(cluster=cluster, company=admin.memberships.get().organisation)
    return member.pk, {}, [admin.email]


CASES = {
    "accounts.cluster_member_added": cluster_member_added_to_the_company_admins,
    "accounts.affiliation_waiting": affiliation_waiting_to_the_institution_admins,
    "accounts.affiliation_decided": affiliation_decided_to_the_person,
    "accounts.membership_waiting": membership_waiting_to_the_organisation_admins,
    "accounts.membership_decided": membership_decided_to_the_person,
    "accounting.state_aid_alert": state_aid_alert_to_the_institution_admin,
    "booking.requested": booking_to_its_user("pending"),
    "booking.confirmed": booking_to_its_user("confirmed"),
    "booking.rejected": booking_to_its_user("rejected"),
    "booking.cancelled": booking_to_its_user("cancelled"),
    "booking.expired": booking_to_its_user("expired"),
    "booking.reminder": booking_to_its_user("confirmed"),
    "booking.to_managers": booking_request_to_the_managers,
    "booking.order_delivered": service_order_to_who_ordered("delivered"),
    "booking.order_cancelled": service_order_to_who_ordered("cancelled"),
    "intake.confirmation": intake_request_to_the_requester,
    "intake.status_changed": intake_status_to_the_requester,
    "intake.message_added": intake_message_to_the_requester,
    "intake.routed": intake_routing_to_the_managers,
    "intake.in_queue": intake_request_to_the_screeners,
    "intake.deadline_reminder": intake_request_to_the_screeners,
    "intake.deadline_escalation": intake_overdue_request_to_the_admins,
    "intake.proposal_decided": intake_proposal_decision_to_the_managers,
    "catalogue.freshness_reminder": stale_entries_to_their_manager,
    "pricing.price_list_blocked": blocked_prices_to_the_facility_managers,
    "pricing.agreement_proposed": agreement_proposal_to_the_facility_managers,
    "pricing.agreement_decided": agreement_decision_to_the_proposer_and_participants,
    "calendars.feed_stale": stale_feed_to_the_facility_managers,
}


def test_every_kind_the_apps_register_has_a_case_here():
    registered = {kind for kind in outbox.email_kinds() if not kind.startswith("tests.")}
    assert registered == set(CASES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_kind_reaches_the_person_it_is_meant_for(kind):
    object_id, payload, recipients = CASES[kind]()
    assert recipients and all("@" in address for address in recipients)
    email_queue(kind=kind, object_id=object_id, payload=payload)
    assert outbox_send_due() == 1
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(recipients)
    assert all(message.subject.strip() and message.body.strip() for message in mail.outbox)
    assert not OutgoingEmail.objects.exists()
