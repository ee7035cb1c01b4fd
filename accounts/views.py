from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts import oidc, services
from accounts.forms import EmailAuthenticationForm, ProfileForm, SignUpForm
from core.errors import DomainError


def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(**form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _apply_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Labtorget. Your account is ready."))
            return redirect("catalogue:home")
    return render(request, "accounts/sign_up.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm


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
                                                      "company_name", "org_number", "institution")}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})

def oidc_start(request, provider):
    try:
        url = oidc.authorization_url(
            session=request.session,
            provider=provider,
            redirect_uri=request.build_absolute_uri(reverse("accounts:oidc_callback", args=[provider])),
            next_url=request.GET.get("next", ""),
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("accounts:login")
    return redirect(url)


def oidc_callback(request, provider):
    try:
        user, next_url = oidc.complete_login(
            session=request.session,
            provider=provider,
            code=request.GET.get("code", ""),
            state=request.GET.get("state", ""),
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if not (user.org_number or user.institution_id):
        messages.info(request, _("Welcome. Please complete your affiliation in your profile."))
        return redirect("accounts:profile")
    return redirect(next_url or "catalogue:home")
