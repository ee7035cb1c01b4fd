from allauth.account import views as allauth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    # The names other pages link to, for allauth's log-in, sign-up and log-out (the same pages as account_login,
    # account_signup and account_logout).
    path("login/", allauth_views.login, name="login"),
    path("signup/", allauth_views.signup, name="sign_up"),
    path("logout/", allauth_views.logout, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.api_tokens, name="api_tokens"),
    path("profile/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/recheck/", views.organisation_recheck, name="organisation_recheck"),
    path("organisations/memberships/<int:pk>/decide/", views.membership_decide, name="membership_decide"),
    path("organisations/<int:pk>/members/add/", views.cluster_member_add, name="cluster_member_add"),
    path("organisations/members/<int:pk>/remove/", views.cluster_member_remove, name="cluster_member_remove"),
    path("organisations/members/<int:pk>/sharing/", views.cluster_sharing_decide, name="cluster_sharing_decide"),
    path("organisations/memberships/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("affiliations/", views.affiliation_institutions, name="affiliation_institutions"),
    path("affiliations/institutions/<int:pk>/", views.affiliations, name="affiliations"),
    path("affiliations/<int:pk>/decide/", views.affiliation_decide, name="affiliation_decide"),
    path("affiliations/domains/<int:pk>/remove/", views.institution_domain_remove, name="institution_domain_remove"),
]
