"""The duty roster page (排班): a week grid of the center's window officers and a form to set or
clear one shift. Thin: parse, call one service, render."""

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.actors import actor_of, home_center_id
from bianmin.core.errors import DomainError, NotFound
from bianmin.standards import selectors, services
from bianmin.standards.services.roster import ROSTER_PERM
from bianmin.standards.views import _date, _int, _needs

WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _week(text: str) -> date:
    try:
        return selectors.week_monday(date.fromisoformat(text.strip()[:10]))
    except ValueError:
        return selectors.week_monday(clock.today())


@_needs(ROSTER_PERM)
def roster(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    center_id = home_center_id(actor)
    if request.method == "POST":
        post = request.POST
        monday = _week(post.get("week", ""))
        try:
            day = _date(post.get("day", ""))
            officer_id = _int(post.get("officer"))
            if post.get("action") == "clear":
                start = post.get("start", "").strip()
                services.duty_shift_clear(
                    actor=actor,
                    officer_id=officer_id,
                    day=day,
                    start=services.parse_clock_time(start, _("上班时间")) if start else None,
                )
                messages.success(request, _("排班已清除。"))
            else:
                services.duty_shift_set(
                    actor=actor,
                    officer_id=officer_id,
                    day=day,
                    start=services.parse_clock_time(post.get("start", ""), _("上班时间")),
                    end=services.parse_clock_time(post.get("end", ""), _("下班时间")),
                    note=post.get("note", ""),
                )
                messages.success(request, _("排班已保存。"))
            monday = selectors.week_monday(day)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{reverse('standards:roster')}?week={monday.isoformat()}")
    monday = _week(str(request.GET.get("week") or ""))
    days = [monday + timedelta(days=n) for n in range(7)]
    return render(
        request,
        "standards/roster.html",
        {
            "monday": monday,
            "days": [(d, WEEKDAY_NAMES[n]) for n, d in enumerate(days)],
            "rows": selectors.duty_week(center_id=center_id, monday=monday),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        },
    )
