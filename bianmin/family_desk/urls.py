from django.urls import path

from bianmin.family_desk import views

app_name = "family_desk"

urlpatterns = [
    path("desk/guide/", views.guide, name="guide"),
    path("desk/guide/<int:pk>/", views.procedure, name="procedure"),
    path("desk/guide/<int:pk>/edit/", views.procedure_edit, name="procedure_edit"),
    path("desk/guide/manage/", views.guide_manage, name="guide_manage"),
    path("desk/guide/template.xlsx", views.guide_template, name="guide_template"),
    path("desk/guide/export.xlsx", views.guide_export, name="guide_export"),
    path("desk/guide/booklet.pdf", views.guide_booklet, name="guide_booklet"),
    path("desk/guide/public/", views.guide_public, name="guide_public"),
    path("desk/board/", views.board, name="board"),
    path("desk/mine/", views.mine, name="mine"),
    path("desk/figures/", views.figures, name="figures"),
    path("desk/requests/<str:number>/", views.request_detail, name="request_detail"),
    path("desk/requests/<str:number>/custody.pdf", views.custody_print, name="custody_print"),
    path("desk/requests/<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("m/desk/<str:center_code>/", views.phone, name="phone"),
    path("m/desk/<str:center_code>/sign-out/", views.phone_sign_out, name="phone_sign_out"),
    path(
        "m/desk/<str:center_code>/requests/<str:number>/",
        views.phone_request,
        name="phone_request",
    ),
    path(
        "m/desk/<str:center_code>/requests/<str:number>/attachments/<int:pk>/",
        views.phone_attachment,
        name="phone_attachment",
    ),
]
