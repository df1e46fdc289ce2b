from django.urls import path

from bianmin.hall import kiosk_views, views

app_name = "hall"

urlpatterns = [
    path("hall/workspace/", views.workspace, name="workspace"),
    path("hall/workspace/waiting/", views.workspace_waiting, name="workspace_waiting"),
    path("hall/workspace/action/", views.workspace_action, name="workspace_action"),
    path("hall/guide/", views.guide, name="guide"),
    path("hall/guide/priority/", views.guide_priority, name="guide_priority"),
    path("hall/guide/calls/", kiosk_views.guide_calls, name="guide_calls"),
    path("hall/board/", views.board, name="board"),
    path("hall/settings/", views.settings_edit, name="settings"),
    path("hall/display/", views.display_home, name="display_home"),
    path("hall/display/<str:center_code>/", views.display, name="display"),
    path(
        "hall/display/<str:center_code>/state.json", views.display_state_json, name="display_state"
    ),
    path("hall/kiosk/", views.kiosk_home, name="kiosk_home"),
    path("hall/kiosk/<str:center_code>/", kiosk_views.kiosk_start, name="kiosk"),
    path("hall/kiosk/<str:center_code>/ticket/", views.kiosk, name="kiosk_ticket"),
    path("hall/kiosk/<str:center_code>/items/", kiosk_views.kiosk_items, name="kiosk_items"),
    path("hall/kiosk-voice/<slug:key>.wav", kiosk_views.kiosk_voice, name="kiosk_voice"),
    path(
        "hall/kiosk/<str:center_code>/items/<str:code>/",
        kiosk_views.kiosk_item,
        name="kiosk_item",
    ),
    path(
        "hall/kiosk/<str:center_code>/call-guide/",
        kiosk_views.kiosk_call_guide,
        name="kiosk_call_guide",
    ),
    path("hall/take/<str:center_code>/", views.phone, name="phone"),
    path("hall/door/<str:center_code>/", views.door, name="door"),
    path("hall/voice/<str:number>/<int:window>.wav", views.voice, name="voice"),
    path("t/<str:ticket_id>/", views.position, name="position"),
    path("t/<str:ticket_id>/print/", views.ticket_print, name="ticket_print"),
    path("t/<str:ticket_id>/ticket.pdf", views.ticket_pdf, name="ticket_pdf"),
]
