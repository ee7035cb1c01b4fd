"""Portal pages of accounts that allauth does not provide: the profile, the personal API tokens, the 429 page.

Sign-up, log-in, e-mail verification, password reset and change, MFA and OpenID Connect are allauth's pages
(templates in templates/account, templates/mfa and templates/socialaccount).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policies, selectors, services
from accounts.choices import CLUSTER_KINDS, AffiliationState
from accounts.forms import (
    AffiliationDecisionForm,
    ApiTokenForm,
    ClusterMemberForm,
    InstitutionDomainForm,
    JoinOrganisationForm,
    ProfileForm,
)
from accounts.models import (
    Affiliation,
    ApiToken,
    ClusterMember,
    InstitutionDomain,
    Organisation,
    OrganisationMembership,
)
from catalogue.models import Institution
from core.errors import DomainError
from core.policies import require, require_visible


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
                                                      "institution")}  # fmt: skip
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    context = {
        "form": form,
        "mfa_enabled": selectors.mfa_enabled(user),
        "affiliation": selectors.affiliation_of(user),
    }
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


@login_required
def affiliation_institutions(request):
    """Institution admins: the institutions whose affiliation claims they decide (straight to the one they have)."""
    institutions = list(selectors.affiliation_institutions_for(request.user))
    if len(institutions) == 1:
        return redirect("accounts:affiliations", pk=institutions[0].pk)
    if not institutions:
        raise Http404
    return render(request, "accounts/affiliation_institutions.html", {"institutions": institutions})


@login_required
def affiliations(request, pk):
    """One institution's affiliation claims: those waiting, the verified and refused ones, its domains, the
    history of every step."""
    institution = get_object_or_404(Institution, pk=pk)
    require(policies.can_view_affiliations, request.user, institution)
    domain_form = InstitutionDomainForm(request.POST or None)
    if request.method == "POST" and domain_form.is_valid():
        try:
            services.institution_domain_add(
                actor=request.user, institution=institution, domain=domain_form.cleaned_data["domain"]
            )
        except DomainError as error:
            _apply_service_errors(domain_form, error)
        else:
            messages.success(request, _("The domain is registered."))
            return redirect("accounts:affiliations", pk=institution.pk)
    claims = list(selectors.affiliations_of_institution(institution))
    context = {
        "institution": institution,
        "pending": [claim for claim in claims if claim.state == AffiliationState.PENDING],
        "verified": [claim for claim in claims if claim.state == AffiliationState.VERIFIED],
        "refused": [claim for claim in claims if claim.state == AffiliationState.REFUSED],
        "decision_form": AffiliationDecisionForm(),
        "domain_form": domain_form,
        "domains": selectors.institution_domains(institution),
        "history": selectors.affiliation_history(institution),
    }
    return render(request, "accounts/affiliations.html", context)


@login_required
@require_POST
def affiliation_decide(request, pk):
    form = AffiliationDecisionForm(request.POST)
    affiliation = get_object_or_404(Affiliation, pk=pk)
    require_visible(policies.can_view_affiliation, request.user, affiliation)  # someone else's claim: 404
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("accounts:affiliations", pk=affiliation.institution_id)
    try:
        services.affiliation_decide(
            actor=request.user,
            affiliation_id=pk,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The decision is saved."))
    return redirect("accounts:affiliations", pk=affiliation.institution_id)


@login_required
@require_POST
def institution_domain_remove(request, pk):
    domain = get_object_or_404(InstitutionDomain, pk=pk)
    services.institution_domain_remove(actor=request.user, domain_id=pk)
    messages.success(request, _("The domain is removed."))
    return redirect("accounts:affiliations", pk=domain.institution_id)


@login_required
def organisations(request):
    """The person's organisations (and memberships waiting), asking to act for one more, and the memberships the
    person decides (as an organisation admin, or every first member as a platform admin)."""
    form = JoinOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_request(
                user=request.user,
                org_number=form.cleaned_data["org_number"],
                company_name=form.cleaned_data["company_name"],
            )
        except DomainError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, membership_message(membership))
            return redirect("accounts:organisations")
    context = {
        "form": form,
        "memberships": selectors.memberships_of(request.user),
        "to_decide": selectors.memberships_to_decide(request.user),
        "decision_form": AffiliationDecisionForm(),
    }
    return render(request, "accounts/organisations.html", context)


def membership_message(membership) -> str:
    if membership.is_approved:
        return _("You are an approved member of %(organisation)s.") % {"organisation": membership.organisation}
    if not membership.organisation.is_verified:
        return _(
            "%(organisation)s is saved but not verified: Brønnøysundregistrene could not be reached. Your membership "
            "waits for approval, and nothing is invoiced to the organisation until the register has verified it."
        ) % {"organisation": membership.organisation}
    return _("Your membership of %(organisation)s waits for approval.") % {"organisation": membership.organisation}


@login_required
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    require_visible(policies.knows_organisation, request.user, organisation)
    require(policies.can_view_organisation, request.user, organisation)
    is_cluster = organisation.kind in CLUSTER_KINDS
    context = {
        "organisation": organisation,
        "members": selectors.organisation_members(organisation),
        "can_recheck": policies.can_recheck_organisation(request.user, organisation),
        "is_admin": policies.is_organisation_admin(request.user, organisation)
        or policies.is_platform_admin(request.user),
        "is_cluster": is_cluster,
        "member_companies": selectors.cluster_members(organisation) if is_cluster else [],
        "can_manage_members": is_cluster and policies.can_manage_cluster_members(request.user, organisation),
        "member_form": ClusterMemberForm(),
        "clusters": selectors.clusters_of_company(organisation),
        "can_decide_sharing": policies.is_organisation_admin(request.user, organisation)
        or policies.is_platform_admin(request.user),
    }
    return render(request, "accounts/organisation_detail.html", context)


@login_required
@require_POST
def cluster_member_add(request, pk):
    cluster = get_object_or_404(Organisation, pk=pk)
    require(policies.can_view_organisation, request.user, cluster)
    form = ClusterMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    else:
        try:
            member = services.cluster_member_add(actor=request.user, cluster=cluster, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(company)s is a member. It shares its requests with you once its admin agrees.")
                % {"company": member.company.name},
            )
    return redirect("accounts:organisation", pk=cluster.pk)


@login_required
@require_POST
def cluster_member_remove(request, pk):
    member = get_object_or_404(ClusterMember.objects.select_related("cluster", "company"), pk=pk)
    require_visible(policies.can_view_cluster_member, request.user, member)  # someone else's: as a missing one
    services.cluster_member_remove(actor=request.user, member=member)
    messages.success(request, _("%(company)s is no longer a member.") % {"company": member.company.name})
    return redirect("accounts:organisation", pk=member.cluster_id)


@login_required
@require_POST
def cluster_sharing_decide(request, pk):
    member = get_object_or_404(ClusterMember.objects.select_related("cluster", "company"), pk=pk)
    require_visible(policies.can_view_cluster_member, request.user, member)  # someone else's: as a missing one
    share = request.POST.get("share") == "yes"
    services.cluster_sharing_decide(actor=request.user, member=member, share=share)
    text = (
        _("%(cluster)s now sees the status of your requests.")
        if share
        else _("%(cluster)s no longer sees your requests (only those it sent itself).")
    )
    messages.success(request, text % {"cluster": member.cluster.name})
    return redirect("accounts:organisation", pk=member.company_id)


@login_required
@require_POST
def membership_decide(request, pk):
    form = AffiliationDecisionForm(request.POST)
    membership = get_object_or_404(OrganisationMembership.objects.select_related("organisation"), pk=pk)
    require_visible(policies.can_view_membership, request.user, membership)  # someone else's membership: 404
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
    else:
        try:
            services.membership_decide(
                actor=request.user,
                membership_id=pk,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The decision is saved."))
    if request.POST.get("back") == "list":
        return redirect("accounts:organisations")
    return redirect(reverse("accounts:organisation", args=[membership.organisation_id]))


@login_required
@require_POST
def membership_role(request, pk):
    """An organisation admin makes a member admin, or an admin a member again."""
    membership = get_object_or_404(OrganisationMembership.objects.select_related("organisation"), pk=pk)
    require_visible(policies.can_view_membership, request.user, membership)
    try:
        services.membership_role_set(actor=request.user, membership_id=pk, role=request.POST.get("role", ""))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The role is saved."))
    return redirect(reverse("accounts:organisation", args=[membership.organisation_id]))


@login_required
@require_POST
def organisation_recheck(request, pk):
    try:
        organisation = services.organisation_recheck(actor=request.user, organisation_id=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Brønnøysundregistrene answered: %(state)s.") % {"state": organisation.get_register_state_display()},
        )
    return redirect("accounts:organisation", pk=pk)


def too_many_requests(request, retry_after: int | None = None):
    """The portal's answer to too many log-in, sign-up, password-reset or request attempts (429)."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
