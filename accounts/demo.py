"""The demo accounts (`load_demo_register --with-demo-users`): who they are and which roles they hold.

The catalogue loads the demo register; the accounts are made here and handed to it, so that the catalogue never
imports accounts.
"""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from accounts.choices import (
    AffiliationMethod,
    AffiliationState,
    MembershipRole,
    MembershipState,
    OrganisationKind,
    RegisterState,
    UserKind,
)
from accounts.models import Affiliation, ClusterMember, Organisation, OrganisationMembership, User
from catalogue.choices import InstitutionRoleKind
from catalogue.demo import records
from catalogue.demo.loader import DemoRegister, load_demo_register, upsert_by_key
from catalogue.models import Facility, FacilityManager, Institution, InstitutionRole
from core.validators import validate_org_number

DEFAULT_PASSWORD = "labtorget-demo"
PASSWORD_ENV_VAR = "DEMO_USER_PASSWORD"

PLATFORM_ADMIN_EMAIL = "demo.plattform@example.org"
SHORT_NAMES = {"uio": "UiO", "ntnu": "NTNU", "uib": "UiB"}


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    kind: str
    institution: str = ""  # slug; academic users only
    institution_roles: tuple[str, ...] = ()
    managed_facilities: tuple[str, ...] = ()  # facility names at `institution`
    platform_admin: bool = False
    affiliation_verified: bool = True  # academic users: whether their claim to `institution` is verified
    membership: str = ""  # company users: their membership of the demo company ("approved" admin, or "pending")
    cluster_admin: bool = False  # the approved admin of the demo cluster, whose member company is the demo company


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo.bedrift@example.org", "Demo", "Bedrift", UserKind.COMPANY, membership=MembershipState.APPROVED),
    # Has asked to act for Demo Helse AS; its admin (demo.bedrift) has not approved yet.
    DemoUser("demo.bedrift2@example.org", "Demo", "Bedrift 2", UserKind.COMPANY, membership=MembershipState.PENDING),
    DemoUser("demo.forsker.uio@example.org", "Demo", "Forsker UiO", UserKind.ACADEMIC, "uio"),
    DemoUser("demo.forsker.ntnu@example.org", "Demo", "Forsker NTNU", UserKind.ACADEMIC, "ntnu"),
    *(
        DemoUser(
            f"demo.leder.{slug}@example.org",
            "Demo",
            f"Leder {SHORT_NAMES[slug]}",
            UserKind.ACADEMIC,
            slug,
            managed_facilities=records.DEMO_MANAGED_FACILITIES[slug],
        )
        for slug in ("uio", "ntnu", "uib")
    ),
    *(
        DemoUser(
            f"demo.screener.{slug}@example.org",
            "Demo",
            f"Screener {SHORT_NAMES[slug]}",
            UserKind.ACADEMIC,
            slug,
            institution_roles=(InstitutionRoleKind.SCREENER,),
        )
        for slug in ("uio", "ntnu", "uib")
    ),
    DemoUser(
        "demo.admin.uio@example.org",
        "Demo",
        "Admin UiO",
        UserKind.ACADEMIC,
        "uio",
        institution_roles=(InstitutionRoleKind.ADMIN,),
    ),
    # Claims UiO but is not verified: external prices until an admin approves or the address proves it.
    DemoUser(
        "demo.uverifisert@example.org", "Demo", "Uverifisert", UserKind.ACADEMIC, "uio", affiliation_verified=False
    ),
    DemoUser(PLATFORM_ADMIN_EMAIL, "Demo", "Plattformadmin", UserKind.ACADEMIC, platform_admin=True),
    # Staff of Demo Klynge, a cluster whose member Demo Helse AS lets it follow its requests.
    DemoUser("demo.klynge@example.org", "Demo", "Klynge", UserKind.COMPANY, cluster_admin=True),
)
DEMO_CLUSTER_NAME = "Demo Klynge"


def demo_users_upsert(
    *, institutions: dict[str, Institution], facility_by_name: dict[tuple[str, str], Facility], password: str
) -> list[User]:
    """Create or update the demo accounts and give them exactly their listed roles, and the current password."""
    validate_org_number(records.DEMO_COMPANY["org_number"])
    # One hash for all: the password is public anyway, and the real hasher is slow on purpose, once per call.
    password_hash = make_password(password)
    rows = []
    for spec in DEMO_USERS:
        rows.append(
            {
                "email": spec.email,
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "kind": spec.kind,
                "institution_id": institutions[spec.institution].pk if spec.institution else None,
                "is_active": True,
                "is_staff": spec.platform_admin,
                "is_superuser": spec.platform_admin,
                "password": password_hash,
            }
        )
    by_email = upsert_by_key(User, "email", rows)
    users = [by_email[spec.email] for spec in DEMO_USERS]
    _verify_addresses(users)
    _verify_affiliations([(spec, user) for spec, user in zip(DEMO_USERS, users, strict=True)])
    company = _demo_company_memberships([(spec, user) for spec, user in zip(DEMO_USERS, users, strict=True)])
    _demo_cluster([user for spec, user in zip(DEMO_USERS, users, strict=True) if spec.cluster_admin], company)
    wanted_roles: set[tuple[int, int, str]] = set()
    wanted_managed: set[tuple[int, int]] = set()
    for spec, user in zip(DEMO_USERS, users, strict=True):
        for role in spec.institution_roles:
            wanted_roles.add((user.pk, institutions[spec.institution].pk, role))
        for name in spec.managed_facilities:
            wanted_managed.add((user.pk, facility_by_name[(spec.institution, name)].pk))
    user_ids = [user.pk for user in users]
    _sync_pairs(InstitutionRole, ("user_id", "institution_id", "role"), user_ids, wanted_roles)
    _sync_pairs(FacilityManager, ("user_id", "facility_id"), user_ids, wanted_managed)
    return users


def _verify_addresses(users: list[User]) -> None:
    """Each demo account's own address is verified and primary, so it may sign in, book and get tokens (one upsert)."""
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
        update_conflicts=True,
        unique_fields=["user", "email"],
        update_fields=["verified", "primary"],
    )


def _verify_affiliations(pairs: list[tuple[DemoUser, User]]) -> None:
    """Each demo academic's affiliation with its institution is verified (approved), except the ones that show an
    unverified claim; one upsert."""
    now = timezone.now()
    rows = [
        Affiliation(
            user=user,
            institution_id=user.institution_id,
            state=AffiliationState.VERIFIED if spec.affiliation_verified else AffiliationState.PENDING,
            method=AffiliationMethod.ADMIN if spec.affiliation_verified else "",
            claimed_at=now,
            decided_at=now if spec.affiliation_verified else None,
        )
        for spec, user in pairs
        if user.institution_id is not None
    ]
    Affiliation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["institution", "state", "method", "decided_at", "decided_by"],
    )
    Affiliation.objects.filter(user_id__in=[user.pk for spec, user in pairs if user.institution_id is None]).delete()


def demo_company() -> Organisation:
    """The demo company, as if Brønnøysundregistrene had verified it (the demo never asks the register); one upsert."""
    fields = {
        "name": records.DEMO_COMPANY["company_name"],
        "kind": OrganisationKind.COMPANY,
        "address": "Demoveien 1, 0150 Oslo",
        "vat_registered": True,
        "nace_code": "72.190",
        "sector": "Annen forskning og utviklingsarbeid innen naturvitenskap og teknikk",
        "web_domain": "demohelse.example.org",
        "register_state": RegisterState.VERIFIED,
        "register_checked_at": timezone.now(),
        "register_note": "Demo data: not from the register.",
    }
    (organisation,) = Organisation.objects.bulk_create(
        [Organisation(org_number=records.DEMO_COMPANY["org_number"], **fields)],
        update_conflicts=True,
        unique_fields=["org_number"],
        update_fields=list(fields),
    )
    return organisation


def _demo_company_memberships(pairs: list[tuple[DemoUser, User]]) -> Organisation:
    """demo.bedrift is the demo company's approved admin, demo.bedrift2 a member waiting for approval (one upsert);
    the demo company."""
    company = demo_company()
    now = timezone.now()
    OrganisationMembership.objects.bulk_create(
        [
            OrganisationMembership(
                organisation_id=company.pk,
                user=user,
                role=MembershipRole.ADMIN if spec.membership == MembershipState.APPROVED else MembershipRole.MEMBER,
                state=spec.membership,
                decided_at=now if spec.membership == MembershipState.APPROVED else None,
                decided_by=None,
            )
            for spec, user in pairs
            if spec.membership
        ],
        update_conflicts=True,
        unique_fields=["organisation", "user"],
        update_fields=["role", "state", "decided_at", "decided_by"],
    )
    return company


def _demo_cluster(admins: list[User], company: Organisation) -> None:
    """Demo Klynge (a cluster without an organisation number, so that it can never be a real one), its admins, and
    the demo company as its member that shares its requests."""
    cluster = Organisation.objects.filter(org_number__isnull=True, name=DEMO_CLUSTER_NAME).first()
    if cluster is None:
        cluster = Organisation.objects.create(
            name=DEMO_CLUSTER_NAME, kind=OrganisationKind.CLUSTER, register_note="Demo data: not from the register."
        )
    elif cluster.kind != OrganisationKind.CLUSTER:
        Organisation.objects.filter(pk=cluster.pk).update(kind=OrganisationKind.CLUSTER)
    now = timezone.now()
    OrganisationMembership.objects.bulk_create(
        [
            OrganisationMembership(
                organisation=cluster, user=user, role=MembershipRole.ADMIN, state=MembershipState.APPROVED,
                decided_at=now,
            )
            for user in admins
        ],
        update_conflicts=True,
        unique_fields=["organisation", "user"],
        update_fields=["role", "state", "decided_at"],
    )  # fmt: skip
    ClusterMember.objects.bulk_create(
        [ClusterMember(cluster=cluster, company=company, shares_requests=True, sharing_decided_at=now)],
        update_conflicts=True,
        unique_fields=["cluster", "company"],
        update_fields=["shares_requests", "sharing_decided_at"],
    )


def _sync_pairs(model: type[models.Model], fields: tuple[str, ...], user_ids: list[int], wanted: set[tuple]) -> None:
    """The demo users hold exactly the wanted role rows: missing ones are created, others removed."""
    existing = {row[1:]: row[0] for row in model.objects.filter(user_id__in=user_ids).values_list("pk", *fields)}
    extra = [pk for key, pk in existing.items() if key not in wanted]
    if extra:
        model.objects.filter(pk__in=extra).delete()
    model.objects.bulk_create(
        [model(**dict(zip(fields, key, strict=True))) for key in sorted(wanted) if key not in existing]
    )


def demo_register_load(
    *, with_demo_users: bool = False, password: str = DEFAULT_PASSWORD, today: datetime.date | None = None
) -> DemoRegister:
    """Load the demo register and, if asked, the demo accounts with `password`."""

    def users_loader(institutions, facility_by_name):
        return demo_users_upsert(institutions=institutions, facility_by_name=facility_by_name, password=password)

    return load_demo_register(users_loader=users_loader if with_demo_users else None, today=today)
