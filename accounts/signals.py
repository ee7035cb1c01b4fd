"""Signals of accounts, and the receivers that tie allauth's log-ins to the portal.

`feide_login(sender=User, user, organisation, claims)` is sent after each Feide log-in or connection, with the
person's Feide home organisation (e.g. "uio.no", see accounts.selectors.feide_organisation) and the claims Feide
gave. Its receiver here verifies the person's affiliation when the organisation is one of the claimed institution's
domains (accounts.services.affiliation_from_feide); a confirmed e-mail address does the same for its domain.
"""

from allauth.account.signals import email_confirmed
from allauth.account.signals import user_logged_in as allauth_user_logged_in
from allauth.socialaccount.signals import social_account_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from accounts import selectors, services
from accounts.middleware import login_note
from accounts.models import User

feide_login = Signal()


@receiver(user_logged_in, dispatch_uid="accounts-login-note")
def note_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        login_note(request=request, user=user)


def announce_feide(user, account) -> None:
    if account is None or account.provider != selectors.FEIDE_PROVIDER_ID:
        return
    claims = selectors.feide_claims(user)
    feide_login.send(
        sender=User, user=user, organisation=selectors.feide_organisation_from_claims(claims), claims=claims
    )


@receiver(allauth_user_logged_in, dispatch_uid="accounts-feide-login")
def feide_logged_in(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is not None:
        announce_feide(user, sociallogin.account)


@receiver(social_account_added, dispatch_uid="accounts-feide-connected")
def feide_connected(sender, request, sociallogin, **kwargs):
    """A signed-in person connected Feide to their account."""
    if sociallogin.user is not None:
        announce_feide(sociallogin.user, sociallogin.account)


@receiver(feide_login, dispatch_uid="accounts-feide-affiliation")
def affiliation_by_feide(sender, user, organisation, **kwargs):
    services.affiliation_from_feide(user=user, organisation=organisation)


@receiver(email_confirmed, dispatch_uid="accounts-email-affiliation")
def affiliation_by_email(sender, request, email_address, **kwargs):
    services.affiliation_check_proof(user=email_address.user)
