from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("intake/new/", views.request_new, name="new"),
    path("intake/sent/", views.request_sent, name="sent"),
    path("intake/confirm/<str:token>/", views.request_confirm, name="confirm"),
    path("intake/follow/<str:token>/", views.request_follow, name="follow"),
    path("intake/follow/<str:token>/<slug:action>/", views.request_follow_action, name="follow_action"),
    path(
        "intake/follow/<str:token>/agreement/<int:routing_id>/", views.agreement_pdf_by_link, name="follow_agreement"
    ),
    path("intake/answer/<str:token>/", views.routing_answer, name="answer"),
    path("intake/mine/", views.my_requests, name="mine"),
    path("intake/queue/", views.screening_queue, name="queue"),
    path("intake/inbox/", views.manager_inbox, name="inbox"),
    path("intake/requests/<int:pk>/", views.request_detail, name="detail"),
    path("intake/requests/<int:pk>/<slug:action>/", views.request_action, name="action"),
    path("intake/organisations/<int:pk>/keys/", views.api_key_create, name="key_create"),
    path("intake/keys/<int:client_id>/rotate/", views.api_key_rotate, name="key_rotate"),
    path("intake/keys/<int:client_id>/revoke/", views.api_key_revoke, name="key_revoke"),
    path("intake/keys/<int:client_id>/webhook/", views.api_key_webhook, name="key_webhook"),
]
