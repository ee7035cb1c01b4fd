from django.urls import path

from accounts.api.views import (
    AffiliationDecisionView,
    InstitutionAffiliationsView,
    MyAffiliationView,
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
    path("affiliations/<int:pk>/decision/", AffiliationDecisionView.as_view(), name="affiliation-decision"),
]
