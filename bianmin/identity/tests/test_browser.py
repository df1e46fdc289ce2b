"""刷脸核验 in chromium with a fake camera: consent, live guidance, the burst, the decision.

The fake camera plays a Y4M clip built from a still test photo (a photo held to the camera),
so the page must show the comparison with liveness failed: a still photo never passes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bianmin.identity.enums import Liveness
from bianmin.identity.models import FaceCheck
from bianmin.identity.tests import faces
from conftest import CHROMIUM_ARGS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 10) -> None:
    """Raw YUV 4:2:0 frames in a YUV4MPEG2 file (what chromium's fake camera reads)."""
    height, width = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, cb, cr = Image.fromarray(frame).convert("YCbCr").split()
            half = (width // 2, height // 2)
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(cb.resize(half, Image.Resampling.BILINEAR).tobytes())
            out.write(cr.resize(half, Image.Resampling.BILINEAR).tobytes())


def camera_frames(name: str, n: int = 20) -> list[np.ndarray]:
    img = Image.open(faces.DATA / name).convert("RGB")
    img = img.resize((400, round(img.height * 400 / img.width)))
    canvas = Image.new("RGB", (640, 480), (120, 120, 120))
    canvas.paste(img, ((640 - img.width) // 2, max(0, (480 - img.height) // 2)))
    still = np.asarray(canvas)
    return [faces.jitter(still, seed=k, shift=1) for k in range(n)]


@pytest.fixture
def camera_browser(tmp_path: Path, playwright_driver):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    clip = tmp_path / "still.y4m"
    write_y4m(clip, camera_frames("obama_a.jpg"))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    ]
    browser = playwright_driver.chromium.launch(executable_path="/usr/bin/chromium", args=args)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera"])
    yield context.new_page()
    context.close()
    browser.close()


def test_photo_held_to_the_camera_is_compared_and_fails_liveness(
    live_server, camera_browser, officer, make_person
) -> None:
    make_person(photo="obama_b.jpg")
    page = camera_browser
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("officer01")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/hall/workspace/")  # the officer's landing

    page.goto(f"{live_server.url}/face/check/?id_number={faces.ADULT_ID}&next=/cases/window/")
    assert page.locator("#face-alternative").is_visible()
    page.get_by_label("用途").fill("领证身份核验")
    page.get_by_role("button", name="群众已同意，开始核验").click()
    page.wait_for_selector("#face-video")

    start = page.get_by_role("button", name="开始核验")
    page.wait_for_function("() => !document.getElementById('face-start').disabled", timeout=60_000)
    assert page.locator("#face-guidance").inner_text() == "画面合格，可以开始核验"
    start.click()
    page.wait_for_selector("#face-check-id", timeout=60_000)

    result = page.locator(".face-result").inner_text()
    assert "比对结果：" in result
    assert "不一致" in result
    assert "活体检测未通过：画面静止不动，疑似照片" in result
    assert page.locator(".face-compare img").count() == 2
    check = FaceCheck.objects.get()
    assert check.frame_count == 8
    assert check.liveness == Liveness.FAILED
    assert page.locator("#face-check-id").inner_text() == str(check.pk)
    assert page.locator("#face-guidance").inner_text() == "核验已结束，现场画面已丢弃"

    page.get_by_label("不予认定（改用其他方式）").check()
    page.get_by_role("button", name="确认").click()
    page.wait_for_selector("text=人工认定")
    check.refresh_from_db()
    assert check.officer_decision == "rejected"
