from django.urls import path

from agreements import views

app_name = "agreements"
urlpatterns = [
    path("agreements/<int:pk>/pdf/", views.agreement_pdf, name="pdf"),
]
