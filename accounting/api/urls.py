"""The accounting API under /api/v1/accounting/ (in the "api-v1" namespace, names as before the app was split)."""

from django.urls import path

from accounting.api import views
from accounting.urls import SCOPES

urlpatterns = []
for prefix, scope in SCOPES:
    urlpatterns += [
        path(
            f"accounting/{prefix}/<int:pk>/state-aid/",
            views.StateAidView.as_view(scope=scope),
            name=f"accounting-{scope}-state-aid",
        ),
        path(
            f"accounting/{prefix}/<int:pk>/revenue/",
            views.RevenueView.as_view(scope=scope),
            name=f"accounting-{scope}-revenue",
        ),
        path(
            f"accounting/{prefix}/<int:pk>/invoice-basis/",
            views.InvoiceBasisView.as_view(scope=scope),
            name=f"accounting-{scope}-invoice-basis",
        ),
        path(
            f"accounting/{prefix}/<int:pk>/ehf/",
            views.EhfInvoiceView.as_view(scope=scope),
            name=f"accounting-{scope}-ehf",
        ),
    ]
