from django.urls import path

from bianmin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("sms/", views.dashboard, name="dashboard"),
    path("sms/templates/", views.template_list, name="template_list"),
    path("sms/templates/new/", views.template_edit, name="template_new"),
    path("sms/templates/preview/", views.template_preview, name="template_preview"),
    path("sms/templates/<int:pk>/approve/", views.template_approve, name="template_approve"),
    path("sms/templates/<slug:code>/", views.template_edit, name="template_edit"),
    path("sms/batches/", views.batch_list, name="batch_list"),
    path("sms/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("sms/batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    # sms/batches/<pk>/send/ is served by cases (cases:arrival_batch_send): cases owns arrival
    path("sms/batches/<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("sms/messages/", views.message_list, name="message_list"),
    path("sms/messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
]
