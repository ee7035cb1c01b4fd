"""Company users' typed `company_name` and `org_number` become organisations and memberships, without loss.

- One organisation per organisation number (the number as stored, spaces and dots removed), named by the name most
  users gave with it (ties: the first alphabetically). None is verified: Brønnøysundregistrene is not asked during a
  migration, so nothing is invoiced to them until a platform admin checks them in the register.
- A name without a number becomes an organisation without a number (one per name), also unverified.
- Every such user becomes a member waiting for approval, with the name they typed kept on the membership
  (`claimed_name`), so no text is lost even where several users gave the same number different names.

The next migration drops the two columns from the user; booking's migration points bookings to the organisations.
"""

from collections import Counter, defaultdict

from django.db import migrations

NOTE = "Made from users' profiles when organisations arrived; not yet checked in the register."


def compact(number: str) -> str:
    return "".join(ch for ch in (number or "") if ch.isalnum())


def organisations_from_profiles(apps, schema_editor):
    db = schema_editor.connection.alias
    User = apps.get_model("accounts", "User")
    Organisation = apps.get_model("accounts", "Organisation")
    Membership = apps.get_model("accounts", "OrganisationMembership")
    rows = list(
        User.objects.using(db).exclude(company_name="", org_number="").values_list("id", "company_name", "org_number")
    )
    names_by_number: dict[str, Counter] = defaultdict(Counter)
    for _user_id, name, number in rows:
        if compact(number):
            names_by_number[compact(number)][name.strip()] += 1
    organisations = {}
    for number, names in sorted(names_by_number.items()):
        best = sorted(names.items(), key=lambda item: (-item[1], item[0]))[0][0] or number
        organisations[("number", number)] = Organisation(org_number=number, name=best[:200], register_note=NOTE)
    for _user_id, name, number in rows:
        if not compact(number) and name.strip():
            organisations.setdefault(("name", name.strip()), Organisation(name=name.strip()[:200], register_note=NOTE))
    Organisation.objects.using(db).bulk_create(list(organisations.values()), batch_size=1000)
    by_key = {}
    for key, organisation in organisations.items():
        field = {"org_number": organisation.org_number} if key[0] == "number" else {"name": organisation.name,
                                                                                    "org_number": None}
        by_key[key] = Organisation.objects.using(db).get(**field).pk
    memberships = []
    for user_id, name, number in rows:
        key = ("number", compact(number)) if compact(number) else ("name", name.strip())
        if key in by_key:
            memberships.append(
                Membership(organisation_id=by_key[key], user_id=user_id, role="member", state="pending",
                           claimed_name=name[:200])
            )
    Membership.objects.using(db).bulk_create(memberships, batch_size=1000)


def profiles_from_organisations(apps, schema_editor):
    """Back: each member's typed name and the organisation's number return to the user."""
    db = schema_editor.connection.alias
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "OrganisationMembership")
    for membership in Membership.objects.using(db).select_related("organisation").order_by("-id"):
        User.objects.using(db).filter(pk=membership.user_id).update(
            company_name=membership.claimed_name or membership.organisation.name,
            org_number=membership.organisation.org_number or "",
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_organisations")]

    operations = [migrations.RunPython(organisations_from_profiles, profiles_from_organisations)]
