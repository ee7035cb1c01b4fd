from django.urls import path

from pricing.api import views

urlpatterns = [
    path("pricing/tdi-calculator/", views.TdiCalculatorView.as_view(), name="pricing-tdi-calculator"),
    path("pricing/price-lists/", views.PriceListListView.as_view(), name="pricing-price-list-list"),
    path("pricing/agreements/", views.CollaborationAgreementListView.as_view(), name="pricing-agreement-list"),
    path(
        "pricing/agreements/<int:pk>/approve/", views.AgreementApproveView.as_view(), name="pricing-agreement-approve"
    ),
    path("pricing/agreements/<int:pk>/reject/", views.AgreementRejectView.as_view(), name="pricing-agreement-reject"),
    path(
        "pricing/agreements/<int:pk>/participants/",
        views.AgreementParticipantView.as_view(),
        name="pricing-agreement-participants",
    ),  # fmt: skip
    path("pricing/agreements/<int:pk>/end/", views.AgreementEndView.as_view(), name="pricing-agreement-end"),
    path("pricing/institutions/<int:pk>/vat-table/", views.VatTableView.as_view(), name="pricing-vat-table"),
    path("resources/<int:pk>/quote/", views.ResourceQuoteView.as_view(), name="resource-quote"),
    path("resources/<int:pk>/prices/", views.ResourcePriceListsView.as_view(), name="resource-prices"),
]
