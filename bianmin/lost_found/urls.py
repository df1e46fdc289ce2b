from django.urls import path

from bianmin.lost_found import views

app_name = "lost_found"

urlpatterns = [
    # public (citizens, phone-first)
    path("lost/", views.public_search, name="public_search"),
    path("lost/report/", views.public_report, name="public_report"),
    path("lost/follow/", views.public_follow, name="public_follow"),
    path("lost/poster/", views.public_poster, name="public_poster"),
    path("lost/notice/<str:number>/", views.public_item, name="public_item"),
    path("lost/notice-photo/<int:photo_id>/", views.public_photo, name="public_photo"),
    # the self-service kiosk (tiles)
    path("lost/kiosk/<str:center_code>/", views.kiosk_found, name="kiosk_found"),
    path("lost/kiosk/<str:center_code>/report/", views.kiosk_report, name="kiosk_report"),
    # sanitation worker
    path("lost/intake/", views.intake, name="intake"),
    path("lost/intake/<str:number>/", views.intake_done, name="intake_done"),
    # staff
    path("lost/items/", views.items, name="items"),
    path("lost/items/<str:number>/", views.item_detail, name="item_detail"),
    path("lost/items/<str:number>/label.pdf", views.item_label, name="item_label"),
    path("lost/items/<str:number>/handover.pdf", views.item_handover, name="item_handover"),
    path("lost/items/<str:number>/<str:action>/", views.item_action, name="item_action"),
    path("lost/photos/<int:photo_id>/", views.item_photo, name="item_photo"),
    path("lost/matches/", views.matches, name="matches"),
    path("lost/matches/decide/", views.match_action, name="match_action"),
    path("lost/expiry/", views.expiry, name="expiry"),
    path("lost/disposals/", views.disposals, name="disposals"),
    path("lost/stats/", views.stats, name="stats"),
    path("lost/settings/", views.settings_page, name="settings"),
]
