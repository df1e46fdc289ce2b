from django.urls import path

from bianmin.standards import roster_views, views

app_name = "standards"

urlpatterns = [
    path("standards/training/", views.training, name="training"),
    path("standards/training/manage/", views.training_manage, name="training_manage"),
    path("standards/courses/<int:pk>/", views.course, name="course"),
    path("standards/exams/<int:pk>/start/", views.exam_start, name="exam_start"),
    path("standards/attempts/<int:pk>/", views.attempt, name="attempt"),
    path("standards/board/", views.board, name="board"),
    path("standards/stars/", views.stars, name="stars"),
    path("standards/stars/manage/", views.stars_manage, name="stars_manage"),
    path("standards/stars/export.xlsx", views.stars_export, name="stars_export"),
    path("standards/stars/<int:pk>/", views.star_detail, name="star_detail"),
    path("standards/roster/", roster_views.roster, name="roster"),
    path("standards/draws/", views.draws, name="draws"),
    path("standards/draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("standards/photos/<int:pk>/", views.finding_photo, name="finding_photo"),
    path("hall-board/<str:center_code>/stars/", views.stars_board, name="stars_board"),
    path("inspections/public/", views.public_draws, name="public_draws"),
    path("inspections/public/<int:pk>/", views.public_draw, name="public_draw"),
]
