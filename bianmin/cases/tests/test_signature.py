"""The 容缺 commitment's handwritten signature: checked, stored encrypted, printed on the
receipt PDF; and the pad in chromium (drawn with the mouse, required before submitting)."""

import base64
import io
import subprocess

import pytest
from django.db import connection
from django.test import Client
from PIL import Image, ImageDraw

from bianmin.cases import services
from bianmin.cases.documents import receipt_pdf
from bianmin.cases.models import Case
from bianmin.core.errors import DomainError
from bianmin.core.signatures import signature_png
from tests.support.browser import session_cookie


def _png(*, ink: bool = True, fmt: str = "PNG") -> str:
    image = Image.new("RGBA", (300, 90), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line((10, 60, 120, 20, 250, 70), fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    image.save(buf, fmt)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode()


def test_signature_check() -> None:
    assert signature_png(_png()).startswith(b"\x89PNG")
    assert signature_png("") is None
    with pytest.raises(DomainError, match="请申请人在签名板上签名"):
        signature_png("", required=True)
    with pytest.raises(DomainError, match="签名为空"):
        signature_png(_png(ink=False))
    with pytest.raises(DomainError, match="签名格式不正确"):
        signature_png("data:image/png;base64,!!!")
    with pytest.raises(DomainError, match="签名格式不正确"):
        signature_png(_png(fmt="GIF"))


@pytest.mark.django_db
def test_the_signed_commitment_is_encrypted_and_printed(pinned, new_case, officer, tmp_path):
    case = new_case("HZ01")
    services.case_pre_review(
        actor=officer, case=case, results={"household_register": "provided", "photo": "missing"}
    )
    client = Client()
    client.force_login(officer)
    unsigned = client.post(
        "/cases/window/accept/",
        {"case": case.number, "with_gaps": "1", "commitment": "5日内补交照片"},
    ).content.decode()
    assert "请申请人在签名板上签名" in unsigned
    client.post(
        "/cases/window/accept/",
        {"case": case.number, "with_gaps": "1", "commitment": "5日内补交照片", "signature": _png()},
    )
    case = Case.objects.get(pk=case.pk)
    assert case.accepted_with_gaps
    assert case.gap_signature.startswith(b"\x89PNG")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gap_signature FROM cases_case WHERE id = %s", [case.pk])
        raw = bytes(cursor.fetchone()[0])
    assert b"PNG" not in raw  # SM4 ciphertext at rest
    path = tmp_path / "receipt.pdf"
    path.write_bytes(receipt_pdf(case))
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.strip().splitlines()) >= 3  # header lines + the signature


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pad_is_drawn_on_and_required(live_server, browser, new_case, officer, pinned):
    case = new_case("HZ01")
    services.case_pre_review(
        actor=officer, case=case, results={"household_register": "provided", "photo": "missing"}
    )
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([session_cookie(officer, live_server.url)])
    page = context.new_page()
    page.goto(f"{live_server.url}/cases/window/?case={case.number}")
    page.fill("input[name=commitment]", "5日内补交照片")
    page.click("button:has-text('容缺受理')")
    page.wait_for_selector("[data-signature-status]:has-text('请先签名')")
    assert not Case.objects.get(pk=case.pk).accepted_with_gaps
    box = page.locator("[data-signature-pad] canvas").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 100)
    page.mouse.down()
    for step in range(1, 20):
        page.mouse.move(box["x"] + 20 + step * 15, box["y"] + 100 - (step % 5) * 12)
    page.mouse.up()
    page.wait_for_selector("[data-signature-status]:has-text('已签名')")
    page.click("button:has-text('容缺受理')")
    page.wait_for_selector("[data-testid=receipt-link]")
    assert Case.objects.get(pk=case.pk).gap_signature.startswith(b"\x89PNG")
    context.close()
