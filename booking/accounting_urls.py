"""URLs of the accounting pages (`web_urlpatterns`, inside the "booking" namespace) and API (`api_urlpatterns`).

booking/urls.py adds `*accounting_urls.web_urlpatterns` to its urlpatterns; booking/api/urls.py adds
`*accounting_urls.api_urlpatterns`. See docs/accounting.md.
"""

from django.urls import path

from booking import accounting_api, accounting_views

_SCOPES = (("facilities", "facility"), ("institutions", "institution"))

web_urlpatterns = [path("accounting/", accounting_views.accounting_index, name="accounting_index")]
api_urlpatterns = []
for _prefix, _scope in _SCOPES:
    _kwargs = {"scope": _scope}
    web_urlpatterns += [
        path(
            f"accounting/{_prefix}/<int:pk>/",
            accounting_views.accounting_overview,
            _kwargs,
            name=f"accounting_{_scope}",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/revenue.csv",
            accounting_views.revenue_csv,
            _kwargs,
            name=f"accounting_{_scope}_revenue_csv",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/invoice-basis/",
            accounting_views.invoice_basis_page,
            _kwargs,
            name=f"accounting_{_scope}_invoice_basis",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/invoice-basis.csv",
            accounting_views.invoice_basis_csv,
            _kwargs,
            name=f"accounting_{_scope}_invoice_basis_csv",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/ehf.xml",
            accounting_views.ehf_invoice,
            _kwargs,
            name=f"accounting_{_scope}_ehf",
        ),
    ]
    api_urlpatterns += [
        path(
            f"accounting/{_prefix}/<int:pk>/state-aid/",
            accounting_api.StateAidView.as_view(scope=_scope),
            name=f"accounting-{_scope}-state-aid",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/revenue/",
            accounting_api.RevenueView.as_view(scope=_scope),
            name=f"accounting-{_scope}-revenue",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/invoice-basis/",
            accounting_api.InvoiceBasisView.as_view(scope=_scope),
            name=f"accounting-{_scope}-invoice-basis",
        ),
        path(
            f"accounting/{_prefix}/<int:pk>/ehf/",
            accounting_api.EhfInvoiceView.as_view(scope=_scope),
            name=f"accounting-{_scope}-ehf",
        ),
    ]
