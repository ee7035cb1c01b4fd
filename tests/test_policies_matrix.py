"""Who may do what: every permission policy as a matrix of roles × actions.

Each test is one action; it asks the policy for every role and compares the whole row with the roles that the
domain says may act (DOMAIN.md, "People and roles"), so a wrong rule shows as the roles it lets in or keeps out.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounting import policies as accounting
from booking import policies as booking
from calendars import policies as calendars
from catalogue import policies as catalogue
from catalogue import roles
from catalogue.choices import InstitutionRoleKind, PublicationStatus
from intake import policies as intake
from intake import services as intake_services
from intake.choices import RequestStatus
from intake.models import Routing
from pricing import policies as pricing
from reporting import policies as reporting
from tests.booking.factories import BookingFactory, ServiceOrderFactory
from tests.factories import (
    AcademicUserFactory,
    FacilityFactory,
    FacilityManagerFactory,
    InstitutionFactory,
    InstitutionRoleFactory,
    ResourceFactory,
    UserFactory,
)
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "inactive_manager",  # a manager of the facility whose account is deactivated: no role counts
    "customer",  # a company user who booked the resource and sent the intake request
    "company",  # another signed-in company user
    "manager",  # manager of the facility
    "other_manager",  # manager of a facility at another institution
    "institution_admin",  # admin of the facility's institution
    "other_admin",  # admin of another institution
    "screener",  # screener of the facility's institution
    "platform_admin",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous", "inactive_manager"}
KEEPERS = frozenset({"manager", "institution_admin", "platform_admin"})  # those who keep the facility


class World:
    """A published facility with a resource at one institution, a facility at another, and one of each role."""

    def __init__(self):
        self.institution = InstitutionFactory()
        self.other_institution = InstitutionFactory()
        self.facility = FacilityFactory(institution=self.institution)
        self.other_facility = FacilityFactory(institution=self.other_institution)
        self.resource = ResourceFactory(facility=self.facility)
        manager = FacilityManagerFactory(facility=self.facility).user
        inactive = FacilityManagerFactory(facility=self.facility, user=AcademicUserFactory(is_active=False)).user
        self.people = {
            "anonymous": AnonymousUser(),
            "inactive_manager": inactive,
            "customer": UserFactory(company_name="Biotek AS"),
            "company": UserFactory(),
            "manager": manager,
            "other_manager": FacilityManagerFactory(facility=self.other_facility).user,
            "institution_admin": InstitutionRoleFactory(
                institution=self.institution, role=InstitutionRoleKind.ADMIN
            ).user,
            "other_admin": InstitutionRoleFactory(
                institution=self.other_institution, role=InstitutionRoleKind.ADMIN
            ).user,
            "screener": InstitutionRoleFactory(institution=self.institution, role=InstitutionRoleKind.SCREENER).user,
            "platform_admin": UserFactory(is_staff=True),
        }
        self.booking = BookingFactory(resource=self.resource, user=self.people["customer"])
        self.request = IntakeRequestFactory(institution=self.institution, requester=self.people["customer"])
        self.routing = Routing.objects.create(request=self.request, facility=self.facility)

    def allowed(self, policy) -> set[str]:
        """The roles for which `policy(person)` is true. A policy answers yes or no, never a value that merely
        reads as one (the API and the pages show the answers as flags)."""
        answers = {role: policy(person) for role, person in self.people.items()}
        assert all(isinstance(answer, bool) for answer in answers.values()), answers
        return {role for role, answer in answers.items() if answer}


@pytest.fixture
def world():
    return World()


# --- catalogue -----------------------------------------------------------------------------------------------


def test_a_published_facility_is_seen_by_everyone(world):
    assert world.allowed(lambda user: catalogue.can_view_facility(user, world.facility)) == set(ROLES)


def test_a_draft_facility_is_seen_only_by_those_who_keep_it(world):
    world.facility.status = PublicationStatus.DRAFT
    world.facility.save()
    assert world.allowed(lambda user: catalogue.can_view_facility(user, world.facility)) == KEEPERS


@pytest.mark.parametrize(
    "policy", [catalogue.can_edit_facility, catalogue.can_publish_facility, catalogue.can_verify_facility]
)
def test_a_facility_is_kept_by_its_managers_its_institutions_admins_and_platform_admins(world, policy):
    assert world.allowed(lambda user: policy(user, world.facility)) == KEEPERS
    assert world.allowed(lambda user: policy(user, world.other_facility)) == {
        "other_manager",
        "other_admin",
        "platform_admin",
    }


@pytest.mark.parametrize("policy", [catalogue.can_create_facility, catalogue.can_manage_institution])
def test_an_institution_is_managed_by_its_admins_and_platform_admins(world, policy):
    assert world.allowed(lambda user: policy(user, world.institution)) == {"institution_admin", "platform_admin"}
    assert world.allowed(lambda user: policy(user, world.other_institution)) == {"other_admin", "platform_admin"}


# --- pricing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [pricing.can_manage_prices, pricing.can_view_cost_base])
def test_prices_and_the_cost_base_belong_to_those_who_keep_the_facility(world, policy):
    assert world.allowed(lambda user: policy(user, world.resource)) == KEEPERS


def test_any_signed_in_user_gets_a_quote(world):
    assert world.allowed(lambda user: pricing.can_get_quote(user, world.resource)) == SIGNED_IN


def test_any_signed_in_user_proposes_a_collaboration_agreement_which_those_who_keep_the_facility_decide(world):
    from tests.pricing.factories import CollaborationAgreementFactory

    agreement = CollaborationAgreementFactory(
        facility=world.facility, participants=[world.people["customer"]], proposed_by=world.people["company"]
    )
    assert world.allowed(lambda user: pricing.can_propose_agreement(user, world.facility)) == SIGNED_IN
    assert world.allowed(lambda user: pricing.can_decide_agreement(user, agreement)) == KEEPERS
    assert world.allowed(lambda user: pricing.can_view_agreement(user, agreement)) == KEEPERS | {"customer", "company"}
    # A deactivated account keeps nothing, not even the agreement it proposed or is named in.
    named = CollaborationAgreementFactory(
        facility=world.facility, participants=[world.people["inactive_manager"]],
        proposed_by=world.people["inactive_manager"],
    )  # fmt: skip
    assert world.allowed(lambda user: pricing.can_view_agreement(user, named)) == KEEPERS


def test_the_vat_table_is_seen_by_those_who_keep_a_facility_and_changed_by_the_institutions_admins(world):
    assert world.allowed(lambda user: pricing.can_view_vat_rules(user, world.institution)) == KEEPERS
    # An institution without facilities yet: its admins and the platform admins still keep its VAT table.
    assert world.allowed(lambda user: pricing.can_view_vat_rules(user, InstitutionFactory())) == {"platform_admin"}
    assert world.allowed(lambda user: pricing.can_view_vat_rules(user, world.other_institution)) == {
        "other_manager", "other_admin", "platform_admin",
    }  # fmt: skip
    world.other_facility.delete()
    assert world.allowed(lambda user: pricing.can_view_vat_rules(user, world.other_institution)) == {
        "other_admin", "platform_admin",
    }  # fmt: skip
    assert world.allowed(lambda user: pricing.can_change_vat_rules(user, world.institution)) == {
        "institution_admin",
        "platform_admin",
    }


# --- booking -------------------------------------------------------------------------------------------------


def test_any_signed_in_user_may_ask_to_book(world):
    assert world.allowed(lambda user: booking.can_book(user, world.resource)) == SIGNED_IN


@pytest.mark.parametrize("policy", [booking.can_view_booking, booking.can_cancel_booking])
def test_a_booking_is_seen_and_cancelled_by_the_booker_and_those_who_keep_the_facility(world, policy):
    assert world.allowed(lambda user: policy(user, world.booking)) == KEEPERS | {"customer"}


def test_a_deactivated_booker_can_no_longer_see_or_cancel_the_booking(world):
    customer = world.people["customer"]
    customer.is_active = False
    customer.save()
    assert not booking.can_view_booking(customer, world.booking)
    assert not booking.can_cancel_booking(customer, world.booking)


@pytest.mark.parametrize(
    "policy",
    [
        booking.can_decide_booking,
        booking.can_move_booking,
        booking.can_complete_booking,
        booking.can_mark_no_show,
        booking.can_adjust_use,
    ],
)
def test_a_booking_is_decided_moved_and_its_use_recorded_by_those_who_keep_the_facility(world, policy):
    assert world.allowed(lambda user: policy(user, world.booking)) == KEEPERS


def test_calendar_and_facility_bookings_belong_to_those_who_keep_the_facility(world):
    assert world.allowed(lambda user: booking.can_manage_calendar(user, world.resource)) == KEEPERS
    assert world.allowed(lambda user: booking.can_see_facility_bookings(user, world.facility)) == KEEPERS


def test_external_calendars_belong_to_those_who_keep_the_facility(world):
    assert world.allowed(lambda user: calendars.can_manage_external_calendars(user, world.resource)) == KEEPERS


def test_the_booking_queue_is_for_anyone_who_keeps_some_facility(world):
    assert world.allowed(booking.can_see_queue) == KEEPERS | {"other_manager", "other_admin"}


def test_a_service_order_is_seen_by_the_person_who_ordered_and_those_who_keep_the_facility(world):
    order = ServiceOrderFactory(resource=world.resource, user=world.people["customer"])
    assert world.allowed(lambda user: booking.can_view_service_order(user, order)) == KEEPERS | {"customer"}


@pytest.mark.parametrize("policy", [booking.can_deliver_service_order, booking.can_cancel_service_order])
def test_a_service_order_is_delivered_or_cancelled_by_those_who_keep_the_facility_not_by_who_ordered(world, policy):
    order = ServiceOrderFactory(resource=world.resource, user=world.people["customer"])
    assert world.allowed(lambda user: policy(user, order)) == KEEPERS


def test_a_deactivated_customer_no_longer_sees_the_service_order(world):
    customer = world.people["customer"]
    order = ServiceOrderFactory(resource=world.resource, user=customer)
    customer.is_active = False
    customer.save()
    assert not booking.can_view_service_order(customer, order)


# --- intake --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [intake.can_view_request, intake.can_message_request])
def test_a_request_is_seen_by_its_requester_its_institutions_screeners_and_the_routed_managers(world, policy):
    assert world.allowed(lambda user: policy(user, world.request)) == {"customer", "screener", "manager"}


def test_a_request_not_routed_to_a_facility_is_not_seen_by_its_managers(world):
    world.routing.delete()
    assert world.allowed(lambda user: intake.can_view_request(user, world.request)) == {"customer", "screener"}


def test_only_the_requester_withdraws(world):
    assert world.allowed(lambda user: intake.can_withdraw_request(user, world.request)) == {"customer"}


def test_only_the_requester_accepts_or_declines_a_facilitys_proposal(world):
    assert world.allowed(lambda user: intake.can_decide_proposal(user, world.routing)) == {"customer"}


def test_internal_notes_are_never_for_the_requester_even_one_who_screens_or_manages(world):
    assert world.allowed(lambda user: intake.can_see_internal_notes(user, world.request)) == {"screener", "manager"}
    for role in ("screener", "manager"):
        own = IntakeRequestFactory(institution=world.institution, requester=world.people[role])
        Routing.objects.create(request=own, facility=world.facility)
        assert not intake.can_see_internal_notes(world.people[role], own), role
        assert intake.can_see_internal_notes(world.people["screener" if role == "manager" else "manager"], own)


def test_the_screeners_of_the_requests_institution_screen_it_once_it_is_in_the_queue(world):
    assert world.allowed(lambda user: intake.can_screen_request(user, world.request)) == {"screener"}
    for status in (RequestStatus.SUBMITTED, RequestStatus.AWAITING_CONFIRMATION):
        world.request.status = status
        assert world.allowed(lambda user: intake.can_screen_request(user, world.request)) == set()


def test_the_national_queue_is_screened_and_assigned_by_platform_admins(world):
    # Whoever screens a request may hand it to another institution's queue, or refer it outside.
    assert world.allowed(lambda user: intake.can_assign_request(user, world.request)) == {"screener"}
    assert world.allowed(lambda user: intake.can_refer_request(user, world.request)) == {"screener"}
    world.request.institution = None
    world.request.save()
    assert world.allowed(lambda user: intake.can_screen_request(user, world.request)) == {"platform_admin"}
    assert world.allowed(lambda user: intake.can_assign_request(user, world.request)) == {"platform_admin"}


def test_a_routing_is_answered_by_the_managers_of_its_facility_only(world):
    other = Routing.objects.create(request=world.request, facility=world.other_facility)
    assert world.allowed(lambda user: intake.can_answer_routing(user, world.routing)) == {"manager"}
    assert world.allowed(lambda user: intake.can_answer_routing(user, other)) == {"other_manager"}
    routings = [world.routing, other]
    for role, person in world.people.items():
        expected = [routing for routing in routings if intake.can_answer_routing(person, routing)]
        assert intake.answerable_routings(person, routings) == expected, role


def test_the_screening_queue_and_the_manager_inbox(world):
    assert world.allowed(intake.can_see_screening_queue) == {"screener", "platform_admin"}
    assert world.allowed(intake.can_see_manager_inbox) == {"manager", "other_manager"}


def test_an_organisation_key_acts_for_the_requests_it_sent_until_it_is_revoked(world):
    client, _key = intake_services.api_client_create(name="Oslo Cancer Cluster", kind="cluster", scopes=["intake:read"])
    other, _key = intake_services.api_client_create(name="NTNU TTO", kind="tto", scopes=["intake:read"])
    world.request.submitted_by_client = client
    world.request.save()
    assert intake.is_requester(client, world.request) and intake.can_view_request(client, world.request)
    assert not intake.is_requester(other, world.request) and not intake.can_view_request(other, world.request)
    assert not intake.can_screen_request(client, world.request) and not intake.can_answer_routing(client, world.routing)
    assert intake.answerable_routings(client, [world.routing]) == []
    assert not intake.can_see_screening_queue(client) and not intake.can_see_manager_inbox(client)
    intake_services.api_client_revoke(client=client)
    assert not intake.is_requester(client, world.request)


def test_the_secret_link_acts_for_its_own_request_only(world):
    link = intake.RequestLink(request_id=world.request.pk)
    assert intake.can_withdraw_request(link, world.request) and intake.can_view_request(link, world.request)
    another = IntakeRequestFactory(institution=world.institution)
    assert not intake.can_view_request(link, another)
    assert not intake.can_screen_request(link, world.request) and not intake.is_routed_manager(link, world.request)
    other_link = intake.RequestLink(request_id=another.pk)
    assert intake.visible_routings(other_link, world.request, [world.routing]) == []
    assert intake.visible_routings(link, world.request, [world.routing]) == [world.routing]


# --- roles ---------------------------------------------------------------------------------------------------


def test_the_facilities_each_role_manages(world):
    everything = {world.facility.pk, world.other_facility.pk}
    managed = {role: roles.managed_facility_ids(person) for role, person in world.people.items()}
    assert managed == {
        "anonymous": set(),
        "inactive_manager": set(),
        "customer": set(),
        "company": set(),
        "manager": {world.facility.pk},
        "other_manager": {world.other_facility.pk},
        "institution_admin": {world.facility.pk},
        "other_admin": {world.other_facility.pk},
        "screener": set(),
        "platform_admin": everything,
    }
    direct = {role: roles.facilities_managed_directly(person, everything) for role, person in world.people.items()}
    assert {role for role, ids in direct.items() if ids} == {"manager", "other_manager"}
    assert direct["manager"] == {world.facility.pk}
    # Only the facilities asked about: a manager of one is not a manager of the other.
    assert roles.facilities_managed_directly(world.people["manager"], {world.other_facility.pk}) == set()
    assert roles.facilities_managed_directly(world.people["manager"], set()) == set()


# --- reporting -----------------------------------------------------------------------------------------------


def test_a_usage_report_names_companies_so_it_is_for_those_who_keep_the_facility(world):
    assert world.allowed(lambda user: reporting.can_view_usage_report(user, world.facility)) == KEEPERS


def test_a_deactivated_platform_admin_keeps_nothing(world):
    retired = UserFactory(is_staff=True, is_active=False)
    assert not roles.can_manage_facility(retired, world.facility)
    assert not catalogue.can_edit_facility(retired, world.facility)
    assert roles.managed_facility_ids(retired) == set()
    assert not accounting.can_see_accounting_menu(retired)
    assert not accounting.can_view_facility_accounts(retired, world.facility)
    assert not accounting.can_view_institution_accounts(retired, world.institution)


def test_roles_are_asked_once_per_request_and_kept_on_the_user(world, django_assert_num_queries):
    # A page asks for the menu, its panels and itself; the answers are read once and kept on the user object.
    for role in ("manager", "institution_admin", "screener", "company"):
        person = world.people[role]
        first = (
            roles.managed_facility_ids(person),
            roles.screener_institution_ids(person),
            roles.admin_institution_ids(person),
            roles.manages_any_facility(person),
        )
        with django_assert_num_queries(0):
            again = (
                roles.managed_facility_ids(person),
                roles.screener_institution_ids(person),
                roles.admin_institution_ids(person),
                roles.manages_any_facility(person),
            )
        assert again == first, role


def test_the_institutions_each_role_screens_or_administers(world):
    screens = {role: roles.screener_institution_ids(person) for role, person in world.people.items()}
    administers = {role: roles.admin_institution_ids(person) for role, person in world.people.items()}
    nobody = {role: set() for role in ROLES}
    assert screens == {**nobody, "screener": {world.institution.pk}}
    assert administers == {
        **nobody,
        "institution_admin": {world.institution.pk},
        "other_admin": {world.other_institution.pk},
    }
    # Asked again, both answers come from what is kept on the user object and do not mix.
    screener = world.people["screener"]
    assert roles.screener_institution_ids(screener) == {world.institution.pk}
    assert roles.admin_institution_ids(screener) == set()


def test_single_role_questions(world):
    people = world.people
    assert world.allowed(roles.is_authenticated) == SIGNED_IN
    assert world.allowed(roles.is_platform_admin) == {"platform_admin"}
    assert world.allowed(lambda user: roles.is_institution_admin(user, world.institution)) == {"institution_admin"}
    assert world.allowed(lambda user: roles.is_screener(user, world.institution.pk)) == {"screener"}
    assert world.allowed(lambda user: roles.is_facility_manager(user, world.facility)) == {"manager"}
    assert world.allowed(roles.manages_any_facility) == {"manager", "other_manager"}
    assert roles.manages_any_facility(people["manager"])  # kept on the user object, same answer
    assert not roles.is_authenticated(None)


def test_the_people_responsible_for_a_facility(world):
    # Its active managers; the deactivated one is left out.
    assert roles.responsible_people(world.facility) == [world.people["manager"]]
    # Without managers, the admins of its institution, active ones only.
    lonely = FacilityFactory(institution=world.institution)
    retired = InstitutionRoleFactory(
        institution=world.institution, role=InstitutionRoleKind.ADMIN, user=AcademicUserFactory(is_active=False)
    ).user
    assert retired not in roles.responsible_people(lonely)
    assert roles.responsible_people(lonely) == [world.people["institution_admin"]]
