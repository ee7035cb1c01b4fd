"""The accounting pages, mounted at /accounting/ in config/urls.py (the API is in accounting/api/urls.py).

Until the accounting pages were an app of their own they were named in the "booking" namespace
(`booking:accounting_facility`, ...). `booking_namespace_aliases` keeps those names working for one release:
config/urls.py adds them to the booking namespace, at the same addresses and with the same views.
"""

from django.urls import path

from accounting import views

app_name = "accounting"

SCOPES = (("facilities", "facility"), ("institutions", "institution"))

urlpatterns = [path("", views.index, name="index")]
for prefix, scope in SCOPES:
    kwargs = {"scope": scope}
    urlpatterns += [
        path(f"{prefix}/<int:pk>/", views.overview, kwargs, name=scope),
        path(f"{prefix}/<int:pk>/revenue.csv", views.revenue_csv, kwargs, name=f"{scope}_revenue_csv"),
        path(f"{prefix}/<int:pk>/invoice-basis/", views.invoice_basis_page, kwargs, name=f"{scope}_invoice_basis"),
        path(
            f"{prefix}/<int:pk>/invoice-basis.csv", views.invoice_basis_csv, kwargs, name=f"{scope}_invoice_basis_csv"
        ),
        path(f"{prefix}/<int:pk>/ehf.xml", views.ehf_invoice, kwargs, name=f"{scope}_ehf"),
    ]

# The old names: "booking:accounting_" + the name here ("booking:accounting_index" is "accounting:index").
# Remove after the next release.
booking_namespace_aliases = [
    path(f"accounting/{pattern.pattern}", pattern.callback, pattern.default_args, name=f"accounting_{pattern.name}")
    for pattern in urlpatterns
]
