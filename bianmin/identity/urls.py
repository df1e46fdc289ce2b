from django.urls import path

from bianmin.identity import views

app_name = "identity"

urlpatterns = [
    path("face/check/", views.check_view, name="check"),
    path("face/check/<str:consent_id>/quality/", views.quality_view, name="quality"),
    path("face/check/<str:consent_id>/verify/", views.verify_view, name="verify"),
    path("face/checks/<str:check_id>/decide/", views.decide_view, name="decide"),
    path("face/people/<int:person_id>/", views.person_face_view, name="person_face"),
]
