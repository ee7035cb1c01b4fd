from django.urls import path

from pricing import views

app_name = "pricing"
urlpatterns = [
    path("pricing/calculator/", views.calculator, name="calculator"),
    path("pricing/resources/<int:pk>/cost-base/", views.cost_base_edit, name="cost_base"),
    path("pricing/resources/<int:pk>/price-lists/", views.price_lists, name="price_lists"),
    path("pricing/price-lists/<int:pk>/", views.price_list_edit, name="price_list_edit"),
    path("pricing/agreements/", views.my_agreements, name="my_agreements"),
    path("pricing/facilities/<int:pk>/agreements/", views.facility_agreements, name="facility_agreements"),
    path("pricing/facilities/<int:pk>/agreements/propose/", views.agreement_propose, name="agreement_propose"),
    path("pricing/institutions/<int:pk>/vat/", views.vat_rules, name="vat_rules"),
]
