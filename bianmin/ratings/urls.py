from django.urls import path

from bianmin.ratings import views, views_public

app_name = "ratings"

urlpatterns = [
    # citizens (no staff session)
    path("r/<str:token>/", views_public.link, name="link"),
    path("ratings/position/<str:ticket_id>/", views_public.position_rate, name="position_rate"),
    path("ratings/pad/<str:center_code>/", views_public.pad, name="pad"),
    path("ratings/pad/<str:center_code>/state/", views_public.pad_state, name="pad_state"),
    path("ratings/pad/<str:center_code>/rate/", views_public.pad_rate, name="pad_rate"),
    path("ratings/kiosk/<str:center_code>/", views_public.kiosk, name="kiosk"),
    path(
        "ratings/kiosk/<str:center_code>/complaint/",
        views_public.kiosk_complaint,
        name="kiosk_complaint",
    ),
    path("m/complaint/<str:center_code>/", views_public.complaint, name="complaint_public"),
    path("ratings/public/<str:center_code>/", views_public.public, name="public"),
    # staff
    path("ratings/board/", views.board, name="board"),
    path("ratings/rectifications/<int:pk>/", views.rectification, name="rectification"),
    path("ratings/callback/<int:event_id>/", views.callback, name="callback"),
    path("ratings/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("ratings/mine/", views.mine, name="mine"),
    path("ratings/complaints/", views.complaints, name="complaints"),
    path("ratings/complaints/<int:pk>/", views.complaint, name="complaint"),
    path("ratings/figures/", views.figures, name="figures"),
    path("ratings/figures/export/", views.export, name="export"),
    path("ratings/figures/upload/", views.upload, name="upload"),
    path("ratings/settings/", views.settings_save, name="settings"),
    path("ratings/pads/", views.pads, name="pads"),
]
