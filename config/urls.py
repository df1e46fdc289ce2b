from django.contrib.staticfiles.views import serve as staticfiles_serve
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from config.api import api, bad_request

handler400 = bad_request


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", healthz),
    path("", include("bianmin.catalogue.urls")),
    path("", include("bianmin.people.urls")),
    path("", include("bianmin.audit.urls")),
    path("", include("bianmin.core.urls")),
    path("", include("bianmin.hall.urls")),
    path("", include("bianmin.cases.urls")),
    path("", include("bianmin.fees.urls")),
    path("", include("bianmin.notifications.urls")),
    path("", include("bianmin.identity.urls")),
    path("", include("bianmin.family_desk.urls")),
    path("", include("bianmin.ratings.urls")),
    path("", include("bianmin.lost_found.urls")),
    path("", include("bianmin.planner.urls")),
    path("", include("bianmin.standards.urls")),
    path("", include("bianmin.reports.urls")),
    path("", include("bianmin.traffic.urls")),
    path("", include("bianmin.appointments.urls")),
    path("", include("bianmin.accounts.urls")),
]

# `make run` serves static files from the ASGI process itself (no separate web server); the
# files are found where they live, so no collectstatic step is needed.
urlpatterns += [path("static/<path:path>", staticfiles_serve, {"insecure": True})]
