from django.urls import path

from bianmin.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/briefings/", views.briefings, name="briefings"),
    path("reports/briefings/generate/", views.briefing_generate, name="briefing_generate"),
    path(
        "reports/briefings/<str:day>/v<int:version>.<str:fmt>",
        views.briefing_file,
        name="briefing_file",
    ),
    path("reports/", views.report, name="report"),
    path("reports/headlines/", views.headlines, name="headlines"),
    path("reports/screen/", views.screen, name="screen"),
    path("reports/screen/data/", views.screen_data, name="screen_data"),
]
