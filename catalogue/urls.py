from django.urls import path

from catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("my/", views.dashboard, name="dashboard"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<slug:slug>/", views.institution_detail, name="institution"),
    path("institutions/<slug:slug>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<slug:institution_slug>/new-facility/", views.facility_create, name="facility_create"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility"),
    path("facilities/<slug:slug>/manage/", views.facility_manage, name="facility_manage"),
    path("facilities/<slug:slug>/publish/", views.facility_publish, name="facility_publish"),
    path("facilities/<slug:slug>/unpublish/", views.facility_unpublish, name="facility_unpublish"),
    path("facilities/<slug:slug>/verify/", views.facility_verify, name="facility_verify"),
    path("facilities/<slug:slug>/contacts/new/", views.contact_edit, name="contact_create"),
    path("facilities/<slug:slug>/contacts/<int:pk>/", views.contact_edit, name="contact_edit"),
    path("facilities/<slug:slug>/contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("facilities/<slug:slug>/resources/new/", views.resource_edit, name="resource_create"),
    path("facilities/<slug:slug>/resources/<int:pk>/", views.resource_edit, name="resource_edit"),
    path("facilities/<slug:slug>/resources/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
]
