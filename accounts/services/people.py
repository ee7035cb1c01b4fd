"""Writes for people: the profile saved at sign-up and later, personal API tokens."""

from allauth.mfa.base.forms import AuthenticateForm
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.choices import UserKind
from accounts.models import ApiToken, User
from accounts.policies import MfaSetupRequired, require_verified_email
from accounts.services.affiliations import affiliation_claim
from accounts.services.organisations import membership_request
from core.errors import DomainError
from core.validators import normalise_org_number


def _apply_affiliation(user: User, *, kind: str, institution) -> None:
    """Company users act for organisations (memberships), academic users name an institution; never both."""
    user.kind = kind
    if kind == UserKind.COMPANY:
        user.institution = None
    else:
        user.institution = institution
        if institution is None:
            raise DomainError(_("Academic users pick their institution."), field="institution")


@transaction.atomic
def user_sign_up(
    *,
    user: User,
    first_name: str,
    last_name: str,
    kind: str,
    company_name: str = "",
    org_number: str = "",
    institution=None,
    language: str = "nb",
) -> User:
    """Save a new user that allauth's sign-up made (e-mail address and password set) with the portal's profile;
    `full_clean` gives field-named errors. An academic's institution becomes a claim to verify; a company user
    asks to act for the organisation with `org_number` (registered now if new). allauth then sends the
    verification e-mail."""
    user.email = User.objects.normalize_email(user.email).lower()
    user.first_name, user.last_name, user.language = first_name, last_name, language
    _apply_affiliation(user, kind=kind, institution=institution)
    if kind == UserKind.COMPANY and not normalise_org_number(org_number):
        raise DomainError(_("Company users give the company's organisation number."), field="org_number")
    user.full_clean(exclude=["password"])
    user.save()
    affiliation_claim(user=user, institution=user.institution)
    if kind == UserKind.COMPANY:
        membership_request(user=user, org_number=org_number, company_name=company_name)
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    phone: str,
    language: str,
    kind: str,
    institution=None,
) -> User:
    """Save name, phone, e-mail language and affiliation (organisations are joined on their own page)."""
    user.first_name, user.last_name, user.phone, user.language = first_name, last_name, phone, language
    _apply_affiliation(user, kind=kind, institution=institution)
    user.full_clean(exclude=["password"])
    user.save()
    affiliation_claim(user=user, institution=user.institution)
    return user


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new personal API token valid for API_TOKEN_TTL_DAYS. Returns the stored token and its key: the key is
    shown once and never stored (only its digest is)."""
    require_verified_email(user)
    token, key = ApiToken.objects.create(user=user, name=name[:100])
    return token, key


def api_token_obtain(*, email: str, password: str, mfa_code: str = "", name: str = "") -> tuple[ApiToken, str]:
    """A new API token for a correct e-mail address and password (and MFA code, for a person who has set up MFA).

    Refused: a wrong password (400, without saying whether the address has an account), an unverified e-mail
    address (403 email_unverified), an admin without MFA while it is required (403 mfa_setup_required).
    """
    user = authenticate(username=(email or "").strip().lower(), password=password)
    if user is None:
        raise DomainError(_("Wrong e-mail address or password."), field="password", code="authentication_failed")
    require_verified_email(user)
    if selectors.mfa_enabled(user):
        if not mfa_code:
            message = _("Give the code from your authenticator app (or a recovery code).")
            raise DomainError(message, field="mfa_code", code="mfa_required")
        form = AuthenticateForm(user=user, data={"code": mfa_code})
        if not form.is_valid():
            raise DomainError(_("Wrong or expired code."), field="mfa_code", code="mfa_code_wrong")
    elif selectors.mfa_setup_required(user):
        raise MfaSetupRequired
    return api_token_create(user=user, name=name or _("Made through the API"))


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Delete one of the person's own tokens; someone else's, or an unknown id, is not found."""
    deleted, _by_model = ApiToken.objects.filter(user_id=user.pk, pk=token_id).delete()
    if not deleted:
        raise ApiToken.DoesNotExist
