from django.urls import path

from accounts.api.views import TokenDetailView, TokenListView, TokenObtainView

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:pk>/", TokenDetailView.as_view(), name="auth-token-detail"),
]
