from django.urls import path

from accounts.api.views import (
    AffiliationDecisionView,
    InstitutionAffiliationsView,
    MembershipDecisionView,
    MembershipRoleView,
    MembershipsToDecideView,
    MyAffiliationView,
    MyOrganisationsView,
    OrganisationDetailView,
    OrganisationRecheckView,
    TokenDetailView,
    TokenListView,
    TokenObtainView,
)

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:pk>/", TokenDetailView.as_view(), name="auth-token-detail"),
    path("me/affiliation/", MyAffiliationView.as_view(), name="my-affiliation"),
    path("institutions/<int:pk>/affiliations/", InstitutionAffiliationsView.as_view(), name="institution-affiliations"),
    path("organisations/", MyOrganisationsView.as_view(), name="my-organisations"),
    path("organisations/<int:pk>/", OrganisationDetailView.as_view(), name="organisation-detail"),
    path("organisations/<int:pk>/recheck/", OrganisationRecheckView.as_view(), name="organisation-recheck"),
    path("organisations/memberships/waiting/", MembershipsToDecideView.as_view(), name="memberships-waiting"),
    path("organisations/memberships/<int:pk>/decision/", MembershipDecisionView.as_view(), name="membership-decision"),
    path("organisations/memberships/<int:pk>/role/", MembershipRoleView.as_view(), name="membership-role"),
    path("affiliations/<int:pk>/decision/", AffiliationDecisionView.as_view(), name="affiliation-decision"),
]
