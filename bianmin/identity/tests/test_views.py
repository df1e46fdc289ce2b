"""The 刷脸核验 page: consent step (alternative always visible), capture step, upload path,
the officer's decision, the person fragment, the authorization matrix."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bianmin.core.permissions import Role
from bianmin.identity.models import FaceCheck, FaceConsent
from bianmin.identity.tests import faces

pytestmark = pytest.mark.django_db

ALLOWED = {Role.OFFICER, Role.SHIFT_LEADER}


@pytest.mark.parametrize("role", list(Role))
def test_page_authorization_matrix(role, staff_by_role, login_client_for, make_person) -> None:
    person = make_person(photo=None)
    person.photo_sha256 = "x"
    person.save(update_fields=["photo_sha256"])
    client = login_client_for(staff_by_role[role])

    page = client.get("/face/check/")
    post = client.post("/face/check/", {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"})

    if role in ALLOWED:
        assert page.status_code == 200
        assert post.status_code == 302
        assert FaceConsent.objects.count() == 1
    else:
        assert page.status_code == 403
        assert post.status_code == 403
        assert FaceConsent.objects.count() == 0


def test_anonymous_is_sent_to_login() -> None:
    response = Client().get("/face/check/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_consent_step_always_offers_the_alternative(officer, login_client_for) -> None:
    html = (
        login_client_for(officer)
        .get(f"/face/check/?id_number={faces.ADULT_ID}&next=/cases/window/")
        .content.decode()
    )

    assert "户口簿" in html
    assert "网证" in html
    assert "改用其他方式，返回办理" in html
    assert f'value="{faces.ADULT_ID}"' in html
    assert 'name="guardian_id_number"' in html


def test_consent_error_is_shown_and_the_alternative_stays(officer, login_client_for) -> None:
    response = login_client_for(officer).post(
        "/face/check/", {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"}
    )

    html = response.content.decode()
    assert response.status_code == 404
    assert "登记库中没有此人，无法刷脸核验，请改用户口簿、其他证件或网证核验" in html
    assert "国家网络身份认证" in html
    assert FaceConsent.objects.count() == 0


def test_consent_then_capture_step_then_upload_shows_the_decision(
    officer, login_client_for, make_person
) -> None:
    make_person(photo="obama_b.jpg")
    client = login_client_for(officer)

    redirect = client.post(
        "/face/check/",
        {
            "id_number": faces.ADULT_ID,
            "purpose": "领证身份核验",
            "next": "/cases/window/?case=TG1",
        },
    )
    assert redirect.status_code == 302
    consent = FaceConsent.objects.get()
    assert redirect["Location"] == (
        f"/face/check/?consent={consent.pk}&next=%2Fcases%2Fwindow%2F%3Fcase%3DTG1"
    )
    capture = client.get(redirect["Location"]).content.decode()
    assert "王建国" in capture
    assert faces.ADULT_ID not in capture
    assert "identity/capture.js" in capture
    assert "人脸模板已登记" in capture
    assert "请先正视镜头，再缓慢向左或向右转头" in capture

    frames = [
        SimpleUploadedFile(f"f{i}.jpg", b, content_type="image/jpeg")
        for i, b in enumerate(faces.still_burst(n=5))
    ]
    result = client.post(
        f"/face/check/{consent.pk}/verify/",
        {"frames": frames, "next": "/cases/window/?case=TG1"},
        HTTP_HX_REQUEST="true",
    )

    html = result.content.decode()
    check = FaceCheck.objects.get()
    assert result.status_code == 200
    assert "比对结果" in html
    assert "不一致" in html
    assert "活体检测未通过：画面静止不动，疑似照片" in html
    assert html.count('src="data:image/jpeg;base64,') == 2  # side by side, this response only
    assert str(check.pk) in html
    assert f"/cases/window/?case=TG1&amp;face_check_id={check.pk}" in html

    refused = client.post(f"/face/checks/{check.pk}/decide/", {"decision": "accepted"})
    assert refused.status_code == 400
    assert "须说明理由" in refused.content.decode()
    decided = client.post(
        f"/face/checks/{check.pk}/decide/", {"decision": "rejected", "next": "/cases/window/"}
    )
    assert decided.status_code == 200
    assert "不予认定（改用其他方式）" in decided.content.decode()
    assert "data:image" not in decided.content.decode()
    check.refresh_from_db()
    assert check.officer_decision == "rejected"


def test_upload_errors_are_shown_in_chinese(officer, login_client_for, make_person) -> None:
    make_person(photo="obama_b.jpg")
    client = login_client_for(officer)
    client.post("/face/check/", {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"})
    consent = FaceConsent.objects.get()

    response = client.post(
        f"/face/check/{consent.pk}/verify/",
        {"frames": [SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")]},
    )

    assert response.status_code == 400
    assert "文件不是可识别的图片，请上传 JPEG 或 PNG 照片" in response.content.decode()
    assert FaceCheck.objects.count() == 0


def test_verify_page_endpoint_checks_csrf(officer, make_person, consent_for) -> None:
    make_person(photo=None).__class__.objects.update(photo_sha256="x")
    consent = consent_for()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = client.post(f"/face/check/{consent.pk}/verify/", {"frames": []})

    assert response.status_code == 403
    assert FaceCheck.objects.count() == 0


def test_quality_endpoint_gives_guidance(officer, login_client_for, make_person) -> None:
    make_person(photo="obama_b.jpg")
    client = login_client_for(officer)
    client.post("/face/check/", {"id_number": faces.ADULT_ID, "purpose": "领证身份核验"})
    consent = FaceConsent.objects.get()

    response = client.post(
        f"/face/check/{consent.pk}/quality/",
        {"frame": SimpleUploadedFile("p.jpg", faces.grey_frame(), content_type="image/jpeg")},
    )

    assert response.json() == {
        "ok": False,
        "messages": ["未检测到人脸，请正对摄像头并露出完整面部"],
    }
    assert FaceCheck.objects.count() == 0


def test_person_fragment_reports_an_unusable_photo(officer, login_client_for, make_person) -> None:
    person = make_person(photo="group_two.jpg")

    html = login_client_for(officer).get(f"/face/people/{person.pk}/").content.decode()

    assert "登记照片无法用于刷脸核验" in html
    assert "画面中有多张人脸，请确保画面中只有本人" in html


def test_pickup_link_include_renders_the_check_url() -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "identity/_pickup_link.html", {"id_number": faces.ADULT_ID, "next": "/cases/window/?case=A"}
    )

    assert re.search(
        rf'href="/face/check/\?id_number={faces.ADULT_ID}&amp;next=/cases/window/%3Fcase%3DA"', html
    )
    assert "刷脸核验" in html
