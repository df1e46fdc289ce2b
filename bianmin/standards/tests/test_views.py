"""The pages: each renders for the roles that use it, is refused to others, and the paper
page never shows the answers."""

import pytest

from bianmin.core.permissions import Role
from bianmin.standards.models import Course, ExamAttempt
from bianmin.standards.services import draw_create

pytestmark = pytest.mark.django_db

PAGES = {
    "/standards/training/": {Role.OFFICER, Role.SHIFT_LEADER, Role.BACK_OFFICE},
    "/standards/training/manage/": {Role.DIRECTOR},
    "/standards/board/": {Role.OFFICER, Role.DIRECTOR, Role.INSPECTOR, Role.SHIFT_LEADER},
    "/standards/stars/": {Role.OFFICER, Role.DIRECTOR, Role.INSPECTOR, Role.SHIFT_LEADER},
    "/standards/stars/manage/": {Role.DIRECTOR, Role.SHIFT_LEADER},
    "/standards/draws/": {Role.DIRECTOR, Role.INSPECTOR},
}


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.DIRECTOR, Role.INSPECTOR, Role.GUIDE, Role.SHIFT_LEADER]
)
def test_pages_render_for_their_roles_only(clock, hall, make_staff, login_client_for, path, role):
    answer = login_client_for(make_staff(role)).get(path)
    assert answer.status_code == (200 if role in PAGES[path] else 403)


def test_the_paper_page_shows_questions_but_not_answers(
    clock, hz01_exam, trainee, login_client_for
):
    client = login_client_for(trainee)
    started = client.post(f"/standards/exams/{hz01_exam.pk}/start/")
    attempt = ExamAttempt.objects.get()
    assert started.url == f"/standards/attempts/{attempt.pk}/"

    page = client.get(started.url).content.decode()

    assert page.count('type="radio"') == 3 * 3
    assert "HZ01 题" in page
    assert '"answer"' not in page


def test_submitting_the_paper_through_the_page_certifies(
    clock, hz01_exam, trainee, login_client_for
):
    from bianmin.standards.models import Question

    client = login_client_for(trainee)
    client.post(f"/standards/exams/{hz01_exam.pk}/start/")
    attempt = ExamAttempt.objects.get()
    form = {f"q{q.pk}": q.answer for q in Question.objects.filter(pk__in=attempt.question_ids)}
    client.post(f"/standards/attempts/{attempt.pk}/", form)

    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == ("passed", 100)
    assert "已通过" in client.get(f"/standards/attempts/{attempt.pk}/").content.decode()


def test_the_course_page_shows_the_items_rules_from_the_catalogue(
    clock, hall, trainee, login_client_for
):
    from bianmin.catalogue.selectors import item_get

    item = item_get(code="HZ01")
    course = Course.objects.create(center=hall, title="首次申领", item=item, material="要点")
    page = login_client_for(trainee).get(f"/standards/courses/{course.pk}/").content.decode()
    assert f"承诺时限 {item.promised_workdays} 个工作日" in page
    assert item.materials.first().name in page


def test_the_board_shows_gaps_in_red(clock, hall, director, trainee, login_client_for):
    page = login_client_for(director).get("/standards/board/").content.decode()
    assert "36 个事项存在缺口" in page
    assert "从 32 名专科民警到 20 名全科民警" in page


def test_the_draw_page_shows_the_commitment_before_the_seed(
    clock, hall, director, inspectors, login_client_for
):
    draw = draw_create(actor=director, name="检查", object_type="window", k=2, inspectors_k=2)
    page = login_client_for(director).get(f"/standards/draws/{draw.pk}/").content.decode()
    assert draw.commitment in page
    assert draw.seed not in page


def test_the_hall_board_of_stars_needs_no_sign_in_and_shows_no_explanations(
    clock, hall, officer, director
):
    from datetime import date

    from django.test import Client

    from bianmin.standards.services import stars_compute

    empty = Client().get("/hall-board/TG/stars/").content.decode()
    assert "本月评比结果尚未公布" in empty
    result = stars_compute(actor=director, month=date(2026, 11, 1))[0]

    page = Client().get("/hall-board/TG/stars/").content.decode()

    assert "2026年11月" in page
    assert officer.full_name in page
    assert result.explanations["skill"] not in page
    assert Client().get("/hall-board/XX/stars/").status_code == 404


def test_the_public_pages_are_throttled(clock, hall):
    from django.test import Client

    from bianmin.standards.views import PUBLIC_LIMIT

    client = Client()
    answers = [client.get("/inspections/public/").status_code for _i in range(PUBLIC_LIMIT[0] + 1)]
    assert answers[:-1] == [200] * PUBLIC_LIMIT[0]
    assert answers[-1] == 429


def test_the_training_page_lists_ones_certificates(
    clock, hz01_exam, trainee, director, login_client_for
):
    from bianmin.standards.services import certificate_grant_manual

    certificate_grant_manual(
        actor=director, officer_id=trainee.pk, item_codes=["HZ04"], reason="顶岗"
    )
    page = login_client_for(trainee).get("/standards/training/").content.decode()
    assert "我的上岗证书（1 项）" in page
    assert "临时居民身份证" in page
    assert "主任授权" in page


def test_a_drill_on_the_course_page_is_graded_with_explanations_and_records_nothing(
    clock, hz01_exam, trainee, login_client_for, other_center
):
    from bianmin.catalogue.selectors import item_get
    from bianmin.standards.models import Question
    from bianmin.standards.tests.factories import QuestionFactory

    hall = hz01_exam.center
    item = item_get(code="HZ01")
    course = Course.objects.create(center=hall, title="首次申领", item=item, material="要点")
    mine = list(Question.objects.filter(center=hall, item=item).order_by("pk"))
    Question.objects.filter(pk=mine[0].pk).update(explanation="户口簿是必备材料")
    foreign = QuestionFactory(center=other_center, item=item, text="外中心的题")
    QuestionFactory(center=hall, category="traffic", text="交管类的题")
    client = login_client_for(trainee)

    page = client.get(f"/standards/courses/{course.pk}/?drill=1").content.decode()

    # the course's pool is its 4 HZ01 questions: all drawn (paper of 5 at most), no others
    assert page.count('name="paper"') == 4
    assert page.count('type="radio"') == 4 * 3
    assert "外中心的题" not in page
    assert "交管类的题" not in page
    assert "户口簿是必备材料" not in page  # explanations only after the answers

    answers = {"paper": [str(q.pk) for q in mine] + [str(foreign.pk)]}
    answers[f"q{mine[0].pk}"] = ["A"]  # right
    answers[f"q{mine[1].pk}"] = ["A"]  # right
    answers[f"q{mine[2].pk}"] = ["B"]  # wrong; mine[3] unanswered
    answers[f"q{foreign.pk}"] = ["A"]  # another center's: ignored
    graded = client.post(f"/standards/courses/{course.pk}/", answers).content.decode()

    assert "本次练习得分 50 分" in graded  # 2 of the course's 4
    assert "解析：户口簿是必备材料" in graded
    assert "错误（您的答案：B）" in graded
    assert "错误（您的答案：未作答）" in graded
    assert "外中心的题" not in graded
    assert not ExamAttempt.objects.exists()


def test_a_drill_of_a_course_without_questions_says_so(clock, hall, trainee, login_client_for):
    course = Course.objects.create(center=hall, title="交管", category="traffic", material="要点")

    page = login_client_for(trainee).get(f"/standards/courses/{course.pk}/?drill=1")

    assert "本课程的题库还没有试题，暂不能练习。" in page.content.decode()
    assert 'name="paper"' not in page.content.decode()
