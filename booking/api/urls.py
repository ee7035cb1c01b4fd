from booking import accounting_urls

urlpatterns = [
    *accounting_urls.api_urlpatterns,
]
