"""Pages of standard management: training, the certification board, the stars, the draws.

Thin: parse the form, call one service or selector, render. Domain errors become a message.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.accounts.selectors import center_get, staff_list
from bianmin.catalogue.enums import Category
from bianmin.catalogue.selectors import item_list
from bianmin.core import clock
from bianmin.core.actors import actor_of, home_center_id
from bianmin.core.client_ip import client_ip
from bianmin.core.errors import DomainError
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.ratelimit import cache_hit
from bianmin.standards import drawing, pipeline, selectors, services
from bianmin.standards.enums import AttemptStatus, DrawStatus, ExamScope, ObjectType
from bianmin.standards.services.stars import STARS, objection_deadline

View = Callable[..., HttpResponse]


def _needs(perm: Perm) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_perm(request.user, perm) or request.user.center_id is None:  # type: ignore[union-attr]
                raise HttpForbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> Any:
    """Call one service; its refusal becomes an error message and nothing changed."""
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return result


def _int(value: Any, default: int = 0) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else default


def _month(request: HttpRequest) -> date:
    text = str(request.GET.get("month") or "")[:7]
    if text:
        try:
            return services.parse_month(text)
        except DomainError as exc:
            messages.error(request, exc.message)
    return services.month_start(clock.today().replace(day=1) - timedelta(days=1))


# --- training ---------------------------------------------------------------------------------


def _paper(questions: list[Any]) -> list[dict[str, Any]]:
    return [{"q": q, "options": list(zip("ABCDEF", q.options, strict=False))} for q in questions]


@_needs(Perm.TRAINING_TAKE)
def training(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    center_id = home_center_id(actor)
    return render(
        request,
        "standards/training.html",
        {
            "courses": selectors.course_list(center_id=center_id),
            "exams": selectors.exam_list(center_id=center_id),
            "attempts": selectors.attempts_of(center_id=center_id, officer_id=actor.pk)[:20],
            "certificates": selectors.certificates_expiring_for(officer_id=actor.pk),
            "mine": selectors.certificates_of(center_id=center_id, officer_id=actor.pk),
            "can_manage": has_perm(actor, Perm.TRAINING_MANAGE),
        },
    )


@_needs(Perm.TRAINING_MANAGE)
def training_manage(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    center_id = home_center_id(actor)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "import":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("请选择题库文件。"))
            else:
                _run(
                    request,
                    lambda: services.questions_import(
                        actor=actor, filename=upload.name or "", content=upload.read()
                    ),
                    _("题库已导入。"),
                )
        elif action == "exam":
            post = request.POST
            _run(
                request,
                lambda: services.exam_create(
                    actor=actor,
                    name=post.get("name", ""),
                    scope=post.get("scope", ""),
                    item_code=post.get("item_code", ""),
                    category=post.get("category", ""),
                    question_count=_int(post.get("question_count"), 10),
                    time_limit_minutes=_int(post.get("time_limit_minutes"), 30),
                    pass_mark=_int(post.get("pass_mark"), 80),
                ),
                _("考试已创建。"),
            )
        elif action == "grant":
            _run(
                request,
                lambda: services.certificate_grant_manual(
                    actor=actor,
                    officer_id=_int(request.POST.get("officer")),
                    item_codes=request.POST.getlist("items"),
                    reason=request.POST.get("reason", ""),
                ),
                _("已手工授权。"),
            )
        return redirect("standards:training_manage")
    return render(
        request,
        "standards/training_manage.html",
        {
            "questions": selectors.question_count(center_id=center_id),
            "exams": selectors.exam_list(center_id=center_id),
            "scopes": ExamScope.choices,
            "categories": Category.choices,
            "items": item_list(),
            "officers": staff_list(user=actor),
        },
    )


@_needs(Perm.TRAINING_TAKE)
def course(request: HttpRequest, pk: int) -> HttpResponse:
    """The course, and its drill (练习): ?drill=1 draws a paper, the POST grades it."""
    actor = actor_of(request)
    found = selectors.course_get(center_id=home_center_id(actor), pk=pk)
    if found is None:
        raise Http404
    paper, result = None, None
    if request.method == "POST":
        ids = request.POST.getlist("paper")[:50]
        answers = {qid: request.POST.getlist(f"q{qid}")[:6] for qid in ids}
        result = _run(
            request,
            lambda: services.drill_check(actor=actor, course_id=pk, answers=answers),
            _("练习已批改（不计成绩）。"),
        )
    elif request.GET.get("drill"):
        drawn = _run(
            request, lambda: services.drill_paper(actor=actor, course_id=pk), _("练习开始。")
        )
        paper = _paper(drawn or [])
    return render(
        request,
        "standards/course.html",
        {
            "course": found,
            "rules": selectors.item_rules(item_id=found.item_id),
            "paper": paper,
            "result": result,
        },
    )


@require_POST
@_needs(Perm.TRAINING_TAKE)
def exam_start(request: HttpRequest, pk: int) -> HttpResponse:
    started = _run(
        request,
        lambda: services.attempt_start(actor=actor_of(request), exam_id=pk),
        _("考试开始，请在时限内交卷。"),
    )
    if started is None:
        return redirect("standards:training")
    return redirect("standards:attempt", pk=started.pk)


@_needs(Perm.TRAINING_TAKE)
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = selectors.attempt_get(center_id=home_center_id(actor), officer_id=actor.pk, pk=pk)
    if found is None:
        raise Http404
    if request.method == "POST":
        answers = {str(qid): request.POST.getlist(f"q{qid}")[:6] for qid in found.question_ids}
        _run(
            request,
            lambda: services.attempt_submit(actor=actor, attempt_id=pk, answers=answers),
            _("已交卷。"),
        )
        return redirect("standards:attempt", pk=pk)
    return render(
        request,
        "standards/attempt.html",
        {
            "attempt": found,
            "paper": _paper(selectors.attempt_paper(found)),
            "is_open": found.status == AttemptStatus.OPEN and clock.now() <= found.deadline_at,
            "seconds_left": max(int((found.deadline_at - clock.now()).total_seconds()), 0),
        },
    )


# --- board and stars --------------------------------------------------------------------------


@_needs(Perm.STARS_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    data = selectors.certification_board(center_id=home_center_id(actor_of(request)))
    return render(
        request,
        "standards/board.html",
        {
            "b": data,
            "weekdays": selectors.WEEKDAYS,
            "path": list(zip(data.months, data.all_round_by_month, strict=True)),
            "chart": {
                "months": data.months,
                "all_round": data.all_round_by_month,
                "target": data.target,
                "baseline": data.baseline,
            },
        },
    )


@_needs(Perm.STARS_VIEW)
def stars(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    center_id = home_center_id(actor)
    if request.method == "POST":
        _run(
            request,
            lambda: services.star_objection_file(
                actor=actor,
                result_id=_int(request.POST.get("result")),
                star=request.POST.get("star", ""),
                text=request.POST.get("text", ""),
            ),
            _("异议已提交，请等待中心主任答复。"),
        )
        return redirect(request.get_full_path())
    month = _month(request)
    year = _int(request.GET.get("year"), month.year)
    results = list(selectors.stars_for_month(center_id=center_id, month=month))
    mine = next((r for r in results if r.officer_id == actor.pk), None)
    return render(
        request,
        "standards/stars.html",
        {
            "month": month,
            "results": results,
            "mine": mine,
            "deadline": objection_deadline(mine) if mine else None,
            "stars": STARS,
            "annual": selectors.stars_annual(center_id=center_id, year=year),
            "year": year,
            "can_manage": has_perm(actor, Perm.STARS_MANAGE),
            "chart": {
                "names": [str(r.officer) for r in results],
                "skill": [int(r.skill) for r in results],
                "discipline": [int(r.discipline) for r in results],
                "satisfaction": [int(r.satisfaction) for r in results],
            },
        },
    )


@_needs(Perm.STARS_VIEW)
def star_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    result = selectors.star_result_get(center_id=home_center_id(actor), pk=pk)
    if result is None:
        raise Http404
    return render(
        request,
        "standards/star_detail.html",
        {
            "result": result,
            "history": selectors.star_history(
                center_id=result.center_id, officer_id=result.officer_id, month=result.month
            ),
            "stars": STARS,
        },
    )


@_needs(Perm.STARS_VIEW)
def stars_export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    year = _int(request.GET.get("year"), clock.today().year)
    content = services.stars_export_xlsx(center_id=home_center_id(actor), year=year)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="stars-{year}.xlsx"'
    return response


@login_required
def stars_manage(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if actor.center_id is None or not (
        has_perm(actor, Perm.STARS_MANAGE) or has_perm(actor, Perm.ABSENCE_RECORD)
    ):
        raise HttpForbidden
    center_id = home_center_id(actor)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        if action == "rule":
            values = {name: post.get(name) for name in services.stars.RULE_FIELDS if name in post}
            _run(
                request,
                lambda: services.star_rule_save(
                    actor=actor, values=values, note=post.get("note", "")
                ),
                _("已保存为新版本规则。"),
            )
        elif action == "compute":
            _run(
                request,
                lambda: services.stars_compute(
                    actor=actor,
                    month=services.parse_month(post.get("month", "")),
                    reason=post.get("reason", ""),
                ),
                _("已评定（原有结果保留为历史版本）。"),
            )
        elif action == "answer":
            _run(
                request,
                lambda: services.star_objection_answer(
                    actor=actor,
                    objection_id=_int(post.get("objection")),
                    upheld=post.get("upheld") == "1",
                    answer=post.get("answer", ""),
                ),
                _("已答复。"),
            )
        elif action == "absence":
            _run(
                request,
                lambda: services.absence_record(
                    actor=actor,
                    officer_id=_int(post.get("officer")),
                    day=_date(post.get("day", "")),
                    is_excused=post.get("excused") == "1",
                    note=post.get("note", ""),
                ),
                _("缺勤已登记。"),
            )
        elif action == "profile":
            _run(
                request,
                lambda: services.staff_profile_set(
                    actor=actor,
                    staff_id=_int(post.get("staff")),
                    team=post.get("team", ""),
                    window_code=post.get("window_code", ""),
                    relatives=post.get("relatives", "").replace("，", ",").split(","),
                ),
                _("回避信息已保存。"),
            )
        return redirect("standards:stars_manage")
    return render(
        request,
        "standards/stars_manage.html",
        {
            "rule": services.star_rule_current(center_id=center_id),
            "rules": selectors.star_rules(center_id=center_id)[:10],
            "objections": selectors.objections_open(center_id=center_id)[:50],
            "officers": staff_list(user=actor),
            "can_manage": has_perm(actor, Perm.STARS_MANAGE),
            "last_month": _month(request),
        },
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise DomainError(_("日期格式应为 YYYY-MM-DD。")) from None


# --- draws ------------------------------------------------------------------------------------


@_needs(Perm.INSPECTION_DRAW)
def draws(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    center_id = home_center_id(actor)
    if request.method == "POST":
        post = request.POST
        objects = [line.strip() for line in post.get("objects", "").splitlines() if line.strip()]
        inspectors = [n.strip() for n in post.get("inspectors", "").replace("，", ",").split(",")]
        month_text = post.get("month", "")[:7]

        def create() -> Any:
            return services.draw_create(
                actor=actor,
                name=post.get("name", ""),
                object_type=post.get("object_type", ""),
                objects=objects or None,
                month=services.parse_month(month_text) if month_text else None,
                k=_int(post.get("k")),
                inspectors_k=_int(post.get("inspectors_k")),
                inspectors=[n for n in inspectors if n] or None,
            )

        made = _run(request, create, _("承诺值已公布。抽取前名录不可更改。"))
        if made is not None:
            return redirect("standards:draw_detail", pk=made.pk)
        return redirect("standards:draws")
    return render(
        request,
        "standards/draws.html",
        {
            "draws": selectors.draw_list(center_id=center_id)[:50],
            "object_types": ObjectType.choices,
            "overdue": selectors.draws_overdue_publication(center_id=center_id),
        },
    )


@_needs(Perm.INSPECTION_DRAW)
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    center_id = home_center_id(actor)
    found = selectors.draw_get(center_id=center_id, pk=pk)
    if found is None:
        raise Http404
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        if action == "run":
            _run(request, lambda: services.draw_run(actor=actor, draw_id=pk), _("已抽取。"))
        elif action == "finding":
            points = dict(pipeline.CHECKLISTS.get(found.object_type, ()))
            _run(
                request,
                lambda: services.finding_record(
                    actor=actor,
                    draw_id=pk,
                    object_key=post.get("object_key", ""),
                    checklist={key: post.get(f"check_{key}") == "1" for key in points},
                    text=post.get("text", ""),
                    evidence=post.get("evidence", "").splitlines(),
                    rectify_workdays=_int(post.get("rectify_workdays")),
                    photos=[f.read(11 * 1024 * 1024) for f in request.FILES.getlist("photos")[:7]],
                ),
                _("检查记录已保存。"),
            )
        elif action == "rectify":
            _run(
                request,
                lambda: services.finding_rectify(
                    actor=actor, finding_id=_int(post.get("finding")), note=post.get("note", "")
                ),
                _("整改情况已提交。"),
            )
        elif action == "recheck":
            _run(
                request,
                lambda: services.finding_recheck(
                    actor=actor,
                    finding_id=_int(post.get("finding")),
                    passed=post.get("passed") == "1",
                    note=post.get("note", ""),
                ),
                _("复查结果已保存。"),
            )
        elif action == "finish":
            _run(request, lambda: services.draw_finish(actor=actor, draw_id=pk), _("检查已结束。"))
        elif action == "publish":
            _run(
                request,
                lambda: services.draw_publish(
                    actor=actor, draw_id=pk, summary=post.get("summary", "")
                ),
                _("检查结果已公开。"),
            )
        return redirect("standards:draw_detail", pk=pk)
    return render(
        request,
        "standards/draw_detail.html",
        {
            "draw": found,
            "revealed": found.status != DrawStatus.COMMITTED,
            "checklist": pipeline.CHECKLISTS.get(found.object_type, ()),
            "is_inspector": actor.username in found.selected_inspectors,
            "can_conduct": has_perm(actor, Perm.INSPECTION_CONDUCT),
        },
    )


PUBLIC_LIMIT = (120, 60)  # requests per client address per minute on the public pages


def _public_throttle(request: HttpRequest) -> HttpResponse | None:
    allowed, window = PUBLIC_LIMIT
    if cache_hit(f"standards:public:{client_ip(request)}", window) > allowed:
        return HttpResponse(_("操作过于频繁，请稍后再试。"), status=429)
    return None


@_needs(Perm.INSPECTION_DRAW)
def finding_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence photo, to staff of the draw's center only."""
    photo = selectors.finding_photo_get(center_id=home_center_id(actor_of(request)), pk=pk)
    if photo is None:
        raise Http404
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def public_draws(request: HttpRequest) -> HttpResponse:
    """Published inspections of every center (no sign-in): lists, seed, selection, results."""
    if (refused := _public_throttle(request)) is not None:
        return refused
    return render(
        request, "standards/public_draws.html", {"draws": selectors.draws_published()[:100]}
    )


def public_draw(request: HttpRequest, pk: int) -> HttpResponse:
    if (refused := _public_throttle(request)) is not None:
        return refused
    found = selectors.draw_public(pk=pk)
    if found is None:
        raise Http404
    return render(
        request,
        "standards/public_draw.html",
        {
            "draw": found,
            "problems": services.draw_problems(found),
            "recomputed": drawing.select(
                seed=found.seed,
                objects=found.object_list,
                inspectors=found.inspectors,
                conflicts=found.conflicts,
                k=found.k,
                inspectors_k=found.inspectors_k,
            ),
            "findings": list(found.findings.all()),
        },
    )


def stars_board(request: HttpRequest, center_code: str) -> HttpResponse:
    """The hall's board of the month's stars (公示, no sign-in): names and stars only, the
    latest month computed; the explanations stay on the staff screens."""
    if (refused := _public_throttle(request)) is not None:
        return refused
    center = center_get(code=center_code[:16])
    if center is None:
        raise Http404
    month = selectors.stars_latest_month(center_id=center.pk)
    results = list(selectors.stars_for_month(center_id=center.pk, month=month)) if month else []
    return render(
        request,
        "standards/stars_board.html",
        {
            "center": center,
            "month": month,
            "results": sorted(results, key=lambda r: (-r.star_count, r.officer.username)),
        },
    )
