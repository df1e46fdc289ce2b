from django.urls import path

from bianmin.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list_view, name="list"),
    path("people/import/", views.person_import_view, name="import"),
    path("people/import/<int:pk>/", views.person_import_status, name="import_status"),
    path("people/<int:pk>/", views.person_detail, name="detail"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal_view, name="reveal"),
]
