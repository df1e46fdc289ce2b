from django.urls import path

from bianmin.cases import views

app_name = "cases"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("checklist/", views.checklist, name="checklist"),
    path("cases/guide/checklist/", views.guide_checklist, name="guide_checklist"),
    path("kiosk/<str:center_code>/progress/", views.kiosk_progress, name="kiosk_progress"),
    path("cases/window/", views.window_page, name="window"),
    path("cases/window/panel/", views.window_panel, name="window_panel"),
    path("cases/window/id-check/", views.id_check, name="id_check"),
    path("cases/window/applicant-lookup/", views.applicant_lookup, name="applicant_lookup"),
    path("cases/window/ticket-case/", views.ticket_case, name="ticket_case"),
    path("cases/window/face-status/", views.face_status, name="face_status"),
    path("cases/window/inquiry/<str:action>/", views.inquiry_action, name="inquiry_action"),
    path("cases/window/<str:action>/", views.window_action, name="window_action"),
    path("cases/queue/", views.queue, name="queue"),
    path("cases/queue/action/", views.queue_action, name="queue_action"),
    path("cases/arrival/", views.arrival, name="arrival"),
    path("cases/arrival/list/", views.arrival_list, name="arrival_list"),
    # the one click of 到证通知 (the batch screens are notifications'; cases owns arrival)
    path("sms/batches/<int:pk>/send/", views.arrival_batch_send, name="arrival_batch_send"),
    path("cases/backlog/", views.backlog, name="backlog"),
    path("cases/overdue/panel/", views.overdue_panel, name="overdue_panel"),
    path("cases/<str:number>/receipt-slip/", views.receipt_slip, name="receipt_slip"),
    path("cases/<str:number>/", views.case_detail, name="detail"),
]
