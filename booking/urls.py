from booking import accounting_urls

app_name = "booking"
urlpatterns = [
    *accounting_urls.web_urlpatterns,
]
