from django.urls import path

from pricing.api import views

urlpatterns = [
    path("pricing/tdi-calculator/", views.TdiCalculatorView.as_view(), name="pricing-tdi-calculator"),
    path("pricing/price-lists/", views.PriceListListView.as_view(), name="pricing-price-list-list"),
    path("resources/<int:pk>/quote/", views.ResourceQuoteView.as_view(), name="resource-quote"),
    path("resources/<int:pk>/prices/", views.ResourcePriceListsView.as_view(), name="resource-prices"),
]
