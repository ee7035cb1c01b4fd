"""How allauth fits Labtorget: the profile saved at sign-up, where people land, which OpenID Connect log-ins may
match an existing account, and that an admin keeps MFA while it is required."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.choices import UserKind
from accounts.forms import SignupProfileForm
from accounts.models import User
from accounts.views import too_many_requests

PROVIDER_KINDS = {"feide": UserKind.ACADEMIC, "idporten": UserKind.COMPANY}


def affiliation_missing(user) -> bool:
    return not (user.institution_id or user.memberships.exists())


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """allauth sets the e-mail address and password; the portal's profile fields are saved with them, through
        the same rules as the profile page."""
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        profile = {name: form.cleaned_data[name] for name in SignupProfileForm.PROFILE_FIELDS}
        return services.user_sign_up(user=user, **profile)

    def pre_authenticate(self, request, **credentials):
        """Too many failed log-ins (ACCOUNT_RATE_LIMITS["login_failed"]): the 429 page, like the other limits."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            raise ImmediateHttpResponse(too_many_requests(request)) from None

    def get_login_redirect_url(self, request):
        if affiliation_missing(request.user) and not request.user.is_staff:
            messages.info(request, _("Welcome. Please complete your affiliation in your profile."))
            return reverse("accounts:profile")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        if request.user.is_authenticated and affiliation_missing(request.user):
            messages.info(request, _("Welcome. Please complete your affiliation in your profile."))
            return reverse("accounts:profile")
        return super().get_signup_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """A new Feide user is an academic, a new ID-porten user a company user; both complete the rest in their
        profile."""
        user = super().populate_user(request, sociallogin, data)
        user.kind = PROVIDER_KINDS.get(sociallogin.account.provider, UserKind.COMPANY)
        if user.email:
            user.email = user.email.lower()
        return user

    def can_authenticate_by_email(self, login, email: str) -> bool:
        """Whether a log-in whose provider says `email` is verified may sign in to the existing account with that
        address (allauth asks only for addresses with email_verified true).

        Only an account without a password whose own address is verified: an account with a password is never
        linked silently (its owner signs in and connects the provider on the "Connected accounts" page), and an
        address nobody verified here proves nothing about who made the account.
        """
        user = User.objects.filter(email__iexact=email).first()
        if user is None or user.has_usable_password():
            return False
        return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


class MfaAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """An admin keeps the authenticator app while MFA is required for admins (recovery codes may change)."""
        if authenticator.type == authenticator.Type.TOTP and selectors.mfa_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
