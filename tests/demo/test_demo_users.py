"""The demo accounts of `load_demo_register --with-demo-users`: who they are, what they may do, their password."""

import pytest
from django.contrib.auth import authenticate

from accounts.choices import UserKind
from accounts.models import User
from catalogue import policies, roles
from catalogue.choices import InstitutionRoleKind
from catalogue.models import Facility, FacilityManager, InstitutionRole
from core.validators import validate_org_number

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {
    "demo.bedrift@example.org",
    "demo.forsker.uio@example.org",
    "demo.forsker.ntnu@example.org",
    "demo.leder.uio@example.org",
    "demo.leder.ntnu@example.org",
    "demo.leder.uib@example.org",
    "demo.screener.uio@example.org",
    "demo.screener.ntnu@example.org",
    "demo.screener.uib@example.org",
    "demo.admin.uio@example.org",
    "demo.plattform@example.org",
    "demo.uverifisert@example.org",
    "demo.bedrift2@example.org",
    "demo.klynge@example.org",
}


def test_without_the_flag_no_accounts_are_created(load):
    output = load()

    assert not User.objects.exists()
    assert "DEMO_USER_PASSWORD" not in output


def test_creates_exactly_the_listed_accounts(load):
    load("--with-demo-users")

    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS


def test_the_company_user_has_a_valid_organisation_number(load):
    load("--with-demo-users")

    company = User.objects.get(email="demo.bedrift@example.org")
    assert company.kind == UserKind.COMPANY
    assert company.institution is None
    membership = company.memberships.select_related("organisation").get()
    assert (membership.state, membership.role) == ("approved", "admin")
    assert membership.organisation.name == "Demo Helse AS" and membership.organisation.is_verified
    validate_org_number(membership.organisation.org_number)


@pytest.mark.parametrize(
    ("email", "verified_at"),
    [
        ("demo.forsker.uio@example.org", "uio"),
        ("demo.forsker.ntnu@example.org", "ntnu"),
        ("demo.admin.uio@example.org", "uio"),
        ("demo.uverifisert@example.org", None),  # claims UiO, not verified
        ("demo.bedrift@example.org", None),
    ],
)
def test_each_demo_account_is_verified_as_its_role_needs(load, email, verified_at):
    from accounts.selectors import verified_institution

    load("--with-demo-users")
    user = User.objects.get(email=email)
    institution = verified_institution(user)
    assert (institution.slug if institution else None) == verified_at


def test_the_cluster_user_runs_demo_klynge_whose_member_demo_helse_shares_its_requests(load):
    from accounts import policies
    from accounts.models import ClusterMember

    load("--with-demo-users")
    load("--with-demo-users")  # a second run changes nothing
    staff = User.objects.get(email="demo.klynge@example.org")
    (membership,) = staff.memberships.select_related("organisation")
    cluster = membership.organisation
    assert (cluster.name, cluster.kind, cluster.org_number, membership.role) == (
        "Demo Klynge",
        "cluster",
        None,
        "admin",
    )
    (member,) = ClusterMember.objects.filter(cluster=cluster)
    assert (member.company.name, member.shares_requests) == ("Demo Helse AS", True)
    assert policies.can_manage_cluster_members(staff, cluster)


def test_the_second_company_user_waits_for_the_admin_of_demo_helse(load):
    from accounts import policies

    load("--with-demo-users")
    waiting = User.objects.get(email="demo.bedrift2@example.org")
    membership = waiting.memberships.select_related("organisation").get()
    assert (membership.state, membership.organisation.name) == ("pending", "Demo Helse AS")
    assert policies.can_decide_membership(User.objects.get(email="demo.bedrift@example.org"), membership)
    assert not policies.can_act_for_organisation(waiting, membership.organisation)


@pytest.mark.parametrize(
    ("email", "institution"),
    [
        ("demo.forsker.uio@example.org", "uio"),
        ("demo.forsker.ntnu@example.org", "ntnu"),
        ("demo.leder.uib@example.org", "uib"),
        ("demo.screener.ntnu@example.org", "ntnu"),
        ("demo.admin.uio@example.org", "uio"),
    ],
)
def test_academic_users_belong_to_their_institution(load, email, institution):
    load("--with-demo-users")

    user = User.objects.get(email=email)
    assert user.kind == UserKind.ACADEMIC
    assert user.institution.slug == institution


def test_roles_are_exactly_as_listed(load):
    load("--with-demo-users")

    assert set(InstitutionRole.objects.values_list("user__email", "institution__slug", "role")) == {
        ("demo.screener.uio@example.org", "uio", InstitutionRoleKind.SCREENER),
        ("demo.screener.ntnu@example.org", "ntnu", InstitutionRoleKind.SCREENER),
        ("demo.screener.uib@example.org", "uib", InstitutionRoleKind.SCREENER),
        ("demo.admin.uio@example.org", "uio", InstitutionRoleKind.ADMIN),
    }
    managers = set(FacilityManager.objects.values_list("user__email", flat=True))
    assert managers == {"demo.leder.uio@example.org", "demo.leder.ntnu@example.org", "demo.leder.uib@example.org"}
    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    assert staff == {"demo.plattform@example.org"}
    assert User.objects.get(email="demo.plattform@example.org").is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(email="demo.plattform@example.org").exists()


@pytest.mark.parametrize("institution", ["uio", "ntnu", "uib"])
def test_each_manager_keeps_at_least_two_facilities_with_resources_at_the_own_institution(load, institution):
    load("--with-demo-users")

    manager = User.objects.get(email=f"demo.leder.{institution}@example.org")
    managed = Facility.objects.filter(managers__user=manager)
    assert managed.count() >= 2
    for facility in managed:
        assert facility.institution.slug == institution
        assert facility.resources.filter(bookable=True).exists()
        assert policies.can_edit_facility(manager, facility)
    elsewhere = Facility.objects.exclude(institution__slug=institution).first()
    assert not policies.can_edit_facility(manager, elsewhere)


def test_screeners_and_the_institution_admin_have_their_powers(load):
    load("--with-demo-users")

    uio_facility = Facility.objects.filter(institution__slug="uio").first()
    ntnu_facility = Facility.objects.filter(institution__slug="ntnu").first()
    admin = User.objects.get(email="demo.admin.uio@example.org")
    assert policies.can_manage_institution(admin, uio_facility.institution)
    assert policies.can_edit_facility(admin, uio_facility)
    assert not policies.can_edit_facility(admin, ntnu_facility)
    screener = User.objects.get(email="demo.screener.ntnu@example.org")
    assert roles.screener_institution_ids(screener) == {ntnu_facility.institution_id}
    assert not policies.can_edit_facility(screener, ntnu_facility)
    researcher = User.objects.get(email="demo.forsker.uio@example.org")
    assert not policies.can_edit_facility(researcher, uio_facility)


def test_password_defaults_to_labtorget_demo(load):
    output = load("--with-demo-users")

    for email in DEMO_EMAILS:
        assert authenticate(username=email, password="labtorget-demo") is not None, email
    assert "DEMO_USER_PASSWORD" in output


def test_password_comes_from_the_environment_and_is_updated_on_each_run(load, monkeypatch):
    monkeypatch.setenv("DEMO_USER_PASSWORD", "first-secret-demo")
    load("--with-demo-users")
    assert authenticate(username="demo.leder.uio@example.org", password="first-secret-demo") is not None

    monkeypatch.setenv("DEMO_USER_PASSWORD", "second-secret-demo")
    output = load("--with-demo-users")

    for email in DEMO_EMAILS:
        assert authenticate(username=email, password="second-secret-demo") is not None, email
        assert authenticate(username=email, password="first-secret-demo") is None, email
    assert "DEMO_USER_PASSWORD" in output
    assert "second-secret-demo" not in output


def test_the_output_lists_every_demo_account(load):
    output = load("--with-demo-users")

    for email in DEMO_EMAILS:
        assert email in output


def test_running_again_keeps_the_roles_exact(load):
    load("--with-demo-users")
    leader = User.objects.get(email="demo.leder.uio@example.org")
    InstitutionRole.objects.create(user=leader, institution=leader.institution, role=InstitutionRoleKind.ADMIN)
    leader.is_staff = True
    leader.save()

    load("--with-demo-users")

    assert not InstitutionRole.objects.filter(user=leader).exists()
    leader.refresh_from_db()
    assert not leader.is_staff
    assert User.objects.count() == len(DEMO_EMAILS)
