"""Portal pages of accounts that allauth does not provide: the profile, the personal API tokens, the 429 page.

Sign-up, log-in, e-mail verification, password reset and change, MFA and OpenID Connect are allauth's pages
(templates in templates/account, templates/mfa and templates/socialaccount).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenForm, ProfileForm
from accounts.models import ApiToken
from core.errors import DomainError


def _apply_service_errors(form, error):
    """Show a service's ValidationError or DomainError on the form field it names."""
    if isinstance(error, ValidationError):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(error.field if error.field in form.fields else None, str(error))


@login_required
def profile(request):
    user = request.user
    initial = {name: getattr(user, name) for name in ("first_name", "last_name", "phone", "language", "kind",
                                                      "company_name", "org_number", "institution")}  # fmt: skip
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    context = {"form": form, "mfa_enabled": selectors.mfa_enabled(user)}
    return render(request, "accounts/profile.html", context)


@login_required
def api_tokens(request):
    """The person's API tokens: make a new one (its key is shown once) and revoke old ones."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = selectors.api_tokens_of(request.user)
    context = {"form": form, "tokens": tokens, "new_key": new_key, "now": timezone.now()}
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request, pk):
    try:
        services.api_token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None  # someone else's token, or one already revoked
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("accounts:api_tokens")


def too_many_requests(request, retry_after: int | None = None):
    """The portal's answer to too many log-in, sign-up, password-reset or request attempts (429)."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
