"""Settings and the face-engine adapter shared by the identity services."""

from __future__ import annotations

import io
import logging
import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from bianmin.core import clock
from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.core.permissions import Perm, has_perm
from bianmin.identity import engine
from bianmin.identity.errors import IdentityError
from bianmin.people.idnumber import check_id_number

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("bianmin.identity.services")

GUARDIAN_AGE = 14  # 人脸识别技术应用安全管理办法: guardian consent below this age
ADULT_AGE = 18


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def consent_minutes() -> int:
    return int(_setting("FACE_CONSENT_MINUTES", 30))


def check_valid_minutes() -> int:
    """How long a confirmed check may be used afterwards (e.g. by the pickup step)."""
    return int(_setting("FACE_CHECK_VALID_MINUTES", 30))


def max_frames() -> int:
    return int(_setting("FACE_MAX_FRAMES", 16))


def kept_frames_max_days() -> int:
    """Backstop for kept frames whose case never closes (or cannot be found)."""
    return int(_setting("FACE_KEPT_FRAMES_MAX_DAYS", 90))


# --- engine adapter -------------------------------------------------------------------------------


def liveness_config() -> engine.LivenessConfig:
    """The configured challenge: head turn (licence-clean, default) or blink.

    Blink needs dlib's 68-point model, trained on iBUG 300-W whose terms exclude commercial
    use (ADR 0005); the bureau enables it with `FACE_LIVENESS_BLINK_ENABLED = True`.
    """
    if _setting("FACE_LIVENESS_BLINK_ENABLED", False):
        return engine.LivenessConfig(challenge="blink", allow_noncommercial_eye_model=True)
    return engine.LivenessConfig(challenge="turn")


def liveness_prompt() -> str:
    if liveness_config().challenge == "blink":
        return _("请眨眼")
    return _("请先正视镜头，再缓慢向左或向右转头")


def model_identity() -> tuple[str, str]:
    """(model name, pipeline version) of the production model, without loading its files."""
    from bianmin.identity.engine.dlib_model import MODEL_NAME

    return MODEL_NAME, engine.DlibPipeline().version


_warm_up_lock = threading.Lock()
_warm_up_threads: list[threading.Thread] = []  # at most one per process


def _warm_up_run() -> None:
    try:
        engine.warm_up()
    except Exception:  # never fatal: the first check then loads the models itself
        log.exception("face engine warm-up failed")


def face_engine_warm_up(*, background: bool = True) -> threading.Thread | None:
    """Load the face models once per process ahead of the first check (the server calls this
    at start-up, config/asgi.py): loading them took about 1.2 s of the first officer's
    verification, and the first quality hint on the capture page waited as long.

    Only the first call of a process does the work, in a daemon thread (waited for unless
    `background`); later calls return the same thread. Off with `FACE_ENGINE_WARM_UP = False`
    (the tests): returns None. dlib keeps the GIL while it loads, so requests of the first
    second after start-up may wait for it.
    """
    if not _setting("FACE_ENGINE_WARM_UP", True):
        return None
    with _warm_up_lock:
        if _warm_up_threads:
            return _warm_up_threads[0]
        thread = threading.Thread(target=_warm_up_run, name="face-engine-warm-up", daemon=True)
        _warm_up_threads.append(thread)
        thread.start()
    if not background:
        thread.join()
    return thread


def engine_verify(
    template: engine.Template, frames: list[np.ndarray], *, require_liveness: bool
) -> engine.Verification:
    return engine.verify(
        template,
        frames,
        threshold_config=engine.ThresholdConfig.load(),
        liveness_config=liveness_config(),
        require_liveness=require_liveness,
    )


def engine_error(exc: engine.FaceEngineError, *, prefix: str = "") -> DomainError:
    return DomainError(prefix + exc.message, code=exc.code)


def frame_problems(frame: bytes) -> list[str]:
    """Chinese quality guidance for one live frame (exactly one face, size, sharpness, pose,
    light). An undecodable frame gives its decoding message."""
    try:
        report = engine.check_frame(frame)
    except engine.FaceEngineError as exc:
        return [exc.message]
    return report.messages


def preview_jpeg(image: np.ndarray, *, width: int = 240) -> bytes:
    """A small JPEG of a frame, for the officer's side-by-side view in one response only."""
    img = Image.fromarray(image)
    if img.width > width:
        img = img.resize((width, max(1, round(img.height * width / img.width))))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def need_perm(actor: StaffActor, perm: Perm) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("您没有刷脸核验的权限"))


def clean_id_number(id_number: str) -> str:
    check = check_id_number((id_number or "")[:40], today=clock.today())
    if not check.valid:
        raise DomainError(
            _("身份证号码有误：%(e)s") % {"e": check.error},
            code=IdentityError.INVALID_ID_NUMBER,
        )
    return check.normalized
