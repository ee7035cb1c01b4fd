"""Verified affiliation (issue 15): a claim to belong to an institution counts only once Feide, a verified e-mail
address under the institution's domain, or an institution admin vouches for it; every step is in the history."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts import selectors, services
from accounts.choices import AffiliationAction, AffiliationMethod, AffiliationState, UserKind
from accounts.models import Affiliation, AffiliationEvent, InstitutionDomain, User
from core.errors import ConflictError, DomainError
from tests.accounts.conftest import link_in_last_mail
from tests.factories import AcademicUserFactory, InstitutionFactory, InstitutionRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def uio(db):
    return InstitutionFactory(short_name="UiO", name="Universitetet i Oslo")


@pytest.fixture
def uio_admin(uio):
    admin = AcademicUserFactory(institution=uio)
    InstitutionRoleFactory(user=admin, institution=uio, role="admin")
    return admin


def claimant(institution, email, *, email_verified=True):
    """A person who says they belong to `institution`, through the profile service."""
    user = UserFactory(
        email=email, kind=UserKind.ACADEMIC, company_name="", org_number="", email_verified=email_verified
    )
    services.user_update_profile(
        user=user, first_name="Kari", last_name="Nordmann", phone="", language="nb", kind=UserKind.ACADEMIC,
        institution=institution,
    )  # fmt: skip
    return user


# How a claim made in the profile ends up: the e-mail address × its verification × the domains registered.
@pytest.mark.parametrize(
    "email, email_verified, domains, state, method",
    [
        ("kari@uio.no", True, ["uio.no"], AffiliationState.VERIFIED, AffiliationMethod.EMAIL_DOMAIN),
        ("kari@uio.no", False, ["uio.no"], AffiliationState.PENDING, ""),  # the address is not proven
        ("kari@student.uio.no", True, ["uio.no"], AffiliationState.PENDING, ""),  # a subdomain counts only if listed
        ("kari@student.uio.no", True, ["uio.no", "student.uio.no"], AffiliationState.VERIFIED,
         AffiliationMethod.EMAIL_DOMAIN),
        ("kari@uio.no.example.org", True, ["uio.no"], AffiliationState.PENDING, ""),
        ("kari@gmail.com", True, ["uio.no"], AffiliationState.PENDING, ""),
        ("kari@uio.no", True, [], AffiliationState.PENDING, ""),  # the institution registered no domain
    ],
)  # fmt: skip
def test_a_claim_is_verified_only_by_a_verified_address_under_a_registered_domain(
    uio, email, email_verified, domains, state, method
):
    for domain in domains:
        InstitutionDomain.objects.create(institution=uio, domain=domain)
    user = claimant(uio, email, email_verified=email_verified)
    affiliation = Affiliation.objects.get(user=user)
    assert (affiliation.state, affiliation.method) == (state, method)
    assert (selectors.verified_institution(user) == uio) is (state == AffiliationState.VERIFIED)


def test_a_domain_registered_later_verifies_the_people_waiting(uio, uio_admin):
    waiting = claimant(uio, "per@uio.no")
    other = claimant(uio, "ola@gmail.com")
    services.institution_domain_add(actor=uio_admin, institution=uio, domain=" UIO.no ")
    assert selectors.verified_institution(waiting) == uio
    assert selectors.verified_institution(other) is None
    assert InstitutionDomain.objects.get().domain == "uio.no"


def test_an_academic_who_signs_up_is_verified_when_the_address_is_confirmed(client, uio):
    InstitutionDomain.objects.create(institution=uio, domain="uio.no")
    client.post(reverse("account_signup"), {
        "kind": "academic", "first_name": "Per", "last_name": "Hansen", "email": "Per@UiO.no",
        "password1": "lab-time-at-last-42", "institution": uio.pk, "language": "nb",
    })  # fmt: skip
    user = User.objects.get(email="per@uio.no")
    assert Affiliation.objects.get(user=user).state == AffiliationState.PENDING
    client.post(link_in_last_mail())
    assert selectors.verified_institution(user) == uio
    assert Affiliation.objects.get(user=user).method == AffiliationMethod.EMAIL_DOMAIN


def test_naming_another_institution_withdraws_the_verification(uio):
    ntnu = InstitutionFactory(short_name="NTNU")
    user = AcademicUserFactory(institution=uio)
    assert selectors.verified_institution(user) == uio
    services.user_update_profile(
        user=user, first_name="K", last_name="N", phone="", language="nb", kind=UserKind.ACADEMIC, institution=ntnu
    )
    assert selectors.verified_institution(user) is None
    assert Affiliation.objects.get(user=user).state == AffiliationState.PENDING
    assert list(AffiliationEvent.objects.filter(user=user).values_list("action", "institution")) == [
        (AffiliationAction.CLAIMED, ntnu.pk), (AffiliationAction.WITHDRAWN, uio.pk),
    ]  # fmt: skip


def test_becoming_a_company_user_withdraws_the_claim(uio):
    user = AcademicUserFactory(institution=uio)
    services.user_update_profile(
        user=user, first_name="K", last_name="N", phone="", language="nb", kind=UserKind.COMPANY
    )
    assert not Affiliation.objects.filter(user=user).exists()
    assert selectors.verified_institution(user) is None


def test_saving_the_profile_again_keeps_a_verified_claim(uio):
    user = AcademicUserFactory(institution=uio)
    services.user_update_profile(
        user=user, first_name="Ny", last_name="N", phone="", language="nb", kind=UserKind.ACADEMIC, institution=uio
    )
    assert selectors.verified_institution(user) == uio


# Who may decide a claim at UiO: role × decision. The claimant sees the claim and is refused; to anybody else who
# may not decide it, it does not exist.
@pytest.mark.parametrize(
    "who, allowed",
    [
        ("uio_admin", True),
        ("platform_admin", True),
        ("ntnu_admin", Affiliation.DoesNotExist),
        ("uio_screener", Affiliation.DoesNotExist),
        ("the_claimant", PermissionDenied),
        ("someone", Affiliation.DoesNotExist),
    ],
)
@pytest.mark.parametrize("approve", [True, False])
def test_who_decides_a_claim(uio, uio_admin, who, allowed, approve):
    ntnu = InstitutionFactory(short_name="NTNU")
    user = claimant(uio, "kari@gmail.com")
    affiliation = Affiliation.objects.get(user=user)
    actors = {
        "uio_admin": lambda: uio_admin,
        "platform_admin": lambda: UserFactory(is_staff=True),
        "ntnu_admin": lambda: InstitutionRoleFactory(institution=ntnu, role="admin").user,
        "uio_screener": lambda: InstitutionRoleFactory(institution=uio, role="screener").user,
        "the_claimant": lambda: user,
        "someone": lambda: UserFactory(),
    }
    actor = actors[who]()
    if allowed is not True:
        with pytest.raises(allowed):
            services.affiliation_decide(actor=actor, affiliation_id=affiliation.pk, approve=approve)
        assert Affiliation.objects.get(pk=affiliation.pk).state == AffiliationState.PENDING
        return
    services.affiliation_decide(actor=actor, affiliation_id=affiliation.pk, approve=approve, note="Sjekket")
    affiliation.refresh_from_db()
    assert affiliation.state == (AffiliationState.VERIFIED if approve else AffiliationState.REFUSED)
    assert (selectors.verified_institution(user) == uio) is approve
    last = AffiliationEvent.objects.filter(user=user).first()
    assert (last.action, last.actor, last.note) == (
        AffiliationAction.APPROVED if approve else AffiliationAction.REFUSED,
        actor,
        "Sjekket",
    )


def test_every_decision_stays_in_the_history(uio, uio_admin):
    user = claimant(uio, "kari@gmail.com")
    pk = Affiliation.objects.get(user=user).pk
    services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=True)
    with pytest.raises(ConflictError):
        services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=True)
    services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=False, note="Sluttet")
    with pytest.raises(ConflictError):
        services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=False)
    actions = list(selectors.affiliation_history(uio).values_list("action", flat=True))
    assert actions == [AffiliationAction.REFUSED, AffiliationAction.APPROVED, AffiliationAction.CLAIMED]


@pytest.mark.parametrize(
    "domain, code",
    [("gmail.com", "public_domain"), ("not a domain", "invalid_domain"), ("kari@uio.no", "invalid_domain"),
     ("no", "invalid_domain"), ("ntnu.no", "domain_taken")],
)  # fmt: skip
def test_a_bad_domain_is_refused_naming_the_field(uio, uio_admin, domain, code):
    InstitutionDomain.objects.create(institution=InstitutionFactory(), domain="ntnu.no")
    with pytest.raises(DomainError) as caught:
        services.institution_domain_add(actor=uio_admin, institution=uio, domain=domain)
    assert (caught.value.field, caught.value.code) == ("domain", code)
    assert not InstitutionDomain.objects.filter(institution=uio).exists()


def test_only_the_institutions_admins_manage_its_domains(uio):
    with pytest.raises(PermissionDenied):
        services.institution_domain_add(actor=AcademicUserFactory(institution=uio), institution=uio, domain="uio.no")


def test_the_admin_approves_a_waiting_claim_on_the_page(client, uio, uio_admin):
    user = claimant(uio, "kari@gmail.com")
    client.force_login(uio_admin)
    dashboard = client.get(reverse("catalogue:dashboard")).content.decode()
    assert "1 tilknytning til institusjonen din venter på avgjørelse" in dashboard
    page = client.get(reverse("accounts:affiliation_institutions"), follow=True)
    assert "kari@gmail.com" in page.content.decode()
    affiliation = Affiliation.objects.get(user=user)
    response = client.post(reverse("accounts:affiliation_decide", args=[affiliation.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert selectors.verified_institution(user) == uio
    history = client.get(reverse("accounts:affiliations", args=[uio.pk])).content.decode()
    assert "Godkjent" in history


def test_others_do_not_see_the_claims_page(client, uio):
    client.force_login(AcademicUserFactory(institution=uio))
    assert client.get(reverse("accounts:affiliations", args=[uio.pk])).status_code == 403
    assert client.get(reverse("accounts:affiliation_institutions")).status_code == 404


def test_the_dashboard_and_profile_say_why_prices_are_external_and_how_to_get_verified(client, uio):
    user = claimant(uio, "kari@gmail.com")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "is not verified yet" in profile and "log in with Feide" in profile
    dashboard = client.get(reverse("catalogue:dashboard")).content.decode()
    assert "is not verified yet" in dashboard and "external prices" in dashboard


# The API: the person's own claim, an institution's claims and the decision, by role. A member of the institution
# may not list its claims (403: the institution is public) and does not find another person's claim (404).
@pytest.mark.parametrize(
    "who, status, decision_status", [("uio_admin", 200, 200), ("member", 403, 404), ("anonymous", 401, 401)]
)
def test_the_api_lists_and_decides_claims_for_the_institutions_admins(
    client, uio, uio_admin, who, status, decision_status
):
    from rest_framework.test import APIClient

    user = claimant(uio, "kari@gmail.com")
    api = APIClient()
    if who == "uio_admin":
        api.force_authenticate(uio_admin)
    elif who == "member":
        api.force_authenticate(AcademicUserFactory(institution=uio))
    listed = api.get(f"/api/v1/institutions/{uio.pk}/affiliations/", {"state": "pending"})
    assert listed.status_code == status
    pk = Affiliation.objects.get(user=user).pk
    decided = api.post(f"/api/v1/affiliations/{pk}/decision/", {"approve": True}, format="json")
    assert decided.status_code == decision_status
    if status == 200:
        assert [row["email"] for row in listed.json()] == ["kari@gmail.com"]
        assert decided.json()["state"] == "verified" and decided.json()["method"] == "admin"
    assert (selectors.verified_institution(user) == uio) is (status == 200)
    mine = APIClient()
    mine.force_authenticate(user)
    assert mine.get("/api/v1/me/affiliation/").json()["state"] == ("verified" if status == 200 else "pending")


def test_the_api_names_a_bad_state(uio, uio_admin):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(uio_admin)
    response = api.get(f"/api/v1/institutions/{uio.pk}/affiliations/", {"state": "maybe"})
    assert response.status_code == 400 and "state" in response.content.decode()


def migrate(targets=None):
    """Migrate the test database to `targets` (the latest migrations when None); the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_every_named_institution_into_a_waiting_claim():
    old_apps = migrate([("accounts", "0004_existing_accounts_verified_and_hashed_tokens")])
    try:
        Institution = old_apps.get_model("catalogue", "Institution")
        User = old_apps.get_model("accounts", "User")
        uio = Institution.objects.create(kind="university", name="UiO", short_name="UiO", slug="uio", city="Oslo")
        User.objects.create(email="a@uio.no", kind="academic", institution=uio)
        User.objects.create(email="b@example.org", kind="company", company_name="X AS", org_number="988077917")
    finally:
        migrate()
    claims = list(Affiliation.objects.values_list("user__email", "institution__slug", "state"))
    assert claims == [("a@uio.no", "uio", "pending")]
    assert AffiliationEvent.objects.get().action == "claimed"


# --- The rules of claiming, proving and deciding, one situation each ---------------------------------------------


def feide_user(organisation: str | None, **fields):
    """A person whose last Feide log-in named `organisation` as their home organisation."""
    from allauth.socialaccount.models import SocialAccount

    user = UserFactory(company_name="", org_number="", **fields)
    claims = {"schacHomeOrganization": organisation} if organisation else {}
    SocialAccount.objects.create(user=user, provider="feide", uid=f"feide-{user.pk}", extra_data=claims)
    return user


@pytest.mark.parametrize(
    "situation, home, kind, claim, outcome",
    [
        ("a new academic of a registered domain", "uio.no", UserKind.ACADEMIC, None, ("uio", "verified", "feide")),
        ("a waiting claim that Feide proves", "uio.no", UserKind.ACADEMIC, "uio", ("uio", "verified", "feide")),
        ("a waiting claim elsewhere stays waiting", "uio.no", UserKind.ACADEMIC, "ntnu", ("ntnu", "pending", "")),
        ("a company user gets no claim", "uio.no", UserKind.COMPANY, None, None),
        ("a home organisation no institution registered", "uib.no", UserKind.ACADEMIC, None, None),
        ("no home organisation", None, UserKind.ACADEMIC, None, None),
    ],
)
def test_a_feide_log_in_verifies_or_makes_a_claim(uio, situation, home, kind, claim, outcome):
    ntnu = InstitutionFactory(short_name="NTNU")
    InstitutionDomain.objects.create(institution=uio, domain="uio.no")
    InstitutionDomain.objects.create(institution=ntnu, domain="ntnu.no")
    institutions = {"uio": uio, "ntnu": ntnu}
    user = feide_user(home, kind=kind, email="kari@gmail.com")
    if claim:
        services.affiliation_claim(user=user, institution=institutions[claim])
    answer = services.affiliation_from_feide(user=user, organisation=home)
    found = Affiliation.objects.filter(user=user).first()
    if outcome is None:
        assert (answer, found) == (None, None), situation
        return
    assert answer == found, situation
    assert (found.institution, found.state, found.method) == (institutions[outcome[0]], outcome[1], outcome[2])
    if claim is None:
        user.refresh_from_db()
        assert (user.kind, user.institution) == (UserKind.ACADEMIC, uio)


def test_the_history_names_who_claimed_and_withdrew_and_a_claim_is_returned(uio):
    ntnu = InstitutionFactory(short_name="NTNU")
    user = UserFactory(email="kari@gmail.com", company_name="", org_number="")
    first = services.affiliation_claim(user=user, institution=uio)
    assert services.affiliation_claim(user=user, institution=uio) == first  # the same claim again changes nothing
    second = services.affiliation_claim(user=user, institution=ntnu)
    assert second.institution == ntnu
    events = list(AffiliationEvent.objects.filter(user=user).order_by("id").values_list("action", "actor"))
    assert events == [(AffiliationAction.CLAIMED, user.pk), (AffiliationAction.WITHDRAWN, user.pk),
                      (AffiliationAction.CLAIMED, user.pk)]  # fmt: skip
    claimed = AffiliationEvent.objects.filter(user=user, action=AffiliationAction.CLAIMED).order_by("id").last()
    assert claimed.at == Affiliation.objects.get(user=user).claimed_at  # the history and the claim agree


def test_an_address_under_another_institutions_domain_proves_nothing_here(uio):
    InstitutionDomain.objects.create(institution=InstitutionFactory(short_name="NTNU"), domain="ntnu.no")
    user = claimant(uio, "kari@ntnu.no")
    assert Affiliation.objects.get(user=user).state == AffiliationState.PENDING


def test_checking_the_proof_again_changes_nothing_for_a_verified_claim_or_no_claim(uio):
    InstitutionDomain.objects.create(institution=uio, domain="uio.no")
    user = claimant(uio, "kari@uio.no")
    events = AffiliationEvent.objects.filter(user=user).count()
    assert services.affiliation_check_proof(user=user) == Affiliation.objects.get(user=user)
    assert AffiliationEvent.objects.filter(user=user).count() == events
    assert services.affiliation_check_proof(user=UserFactory()) is None


def test_a_decision_records_when_and_by_whom_and_refusals_say_why_they_fail(uio, uio_admin):
    user = claimant(uio, "kari@gmail.com")
    pk = Affiliation.objects.get(user=user).pk
    decided = services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=True)
    assert (decided.state, decided.method, decided.decided_by) == ("verified", "admin", uio_admin)
    with pytest.raises(ConflictError) as caught:
        services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=True)
    assert caught.value.code == "already_verified"
    refused = services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=False)
    stored = Affiliation.objects.get(pk=pk)
    assert refused == stored
    assert (stored.state, stored.method, stored.decided_by) == ("refused", "", uio_admin)
    assert stored.decided_at == AffiliationEvent.objects.get(user=user, action=AffiliationAction.REFUSED).at
    with pytest.raises(ConflictError) as caught:
        services.affiliation_decide(actor=uio_admin, affiliation_id=pk, approve=False)
    assert caught.value.code == "already_refused"
    with pytest.raises(Affiliation.DoesNotExist):
        services.affiliation_decide(actor=uio_admin, affiliation_id=pk + 100, approve=True)


def test_a_domain_is_added_as_written_without_its_at_sign_next_to_others(uio, uio_admin):
    InstitutionDomain.objects.create(institution=InstitutionFactory(), domain="ntnu.no")
    added = services.institution_domain_add(actor=uio_admin, institution=uio, domain="@UiO.no")
    assert (added.domain, added.institution, added.added_by) == ("uio.no", uio, uio_admin)
    assert InstitutionDomain.objects.get(institution=uio) == added


def test_a_first_feide_log_in_gets_its_claim_whatever_claims_others_have(uio):
    """Another person's claim at another institution does not count as this person's."""
    InstitutionDomain.objects.create(institution=uio, domain="uio.no")
    other = feide_user(None, kind=UserKind.ACADEMIC, email="ola@gmail.com")
    services.affiliation_claim(user=other, institution=InstitutionFactory(short_name="NTNU"))
    user = feide_user("uio.no", kind=UserKind.ACADEMIC, email="kari@gmail.com")
    found = services.affiliation_from_feide(user=user, organisation="uio.no")
    assert found is not None and (found.user, found.institution, found.state) == (user, uio, "verified")
