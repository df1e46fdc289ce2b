"""Server-made Mandarin announcements for displays without a browser voice.

The display prefers the browser's own zh-CN voice (speechSynthesis); where the browser has none
(many TV sticks), it plays a WAV from here. The WAV is put together on the fly from a fixed set
of clips made once with espeak-ng: 请 · the letter · each digit · 号 到 · the window number ·
号窗口办理. There are exactly `len(CLIP_TEXTS)` clips, so the files on disk are bounded whatever
anyone asks for, and the endpoint speaks only a ticket that the hall really called today at
that window (`selectors.call_was_made`); anything else is a 404 before any clip is touched.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import string
import subprocess
import threading
import wave
from functools import cache
from pathlib import Path

from django.conf import settings

VOICE = "cmn-latn-pinyin"
# ASCII only (no Arabic-Indic or full-width digits), nothing after the last digit.
NUMBER_RE = re.compile(r"[A-Z][0-9]{3,5}", re.ASCII)
MAX_WINDOW = 99
HEAD, MIDDLE, TAIL = "请", "号 到", "号窗口办理"
CLIP_TEXTS: frozenset[str] = frozenset(
    [HEAD, MIDDLE, TAIL, *string.ascii_uppercase, *string.digits]
    + [str(n) for n in range(1, MAX_WINDOW + 1)]
)
_lock = threading.Lock()


@cache
def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def clip_dir() -> Path:
    path = Path(getattr(settings, "VAR_DIR", Path("var"))) / "voice" / "clips"
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_valid(number: str, window_number: int) -> bool:
    return bool(NUMBER_RE.fullmatch(number)) and 0 < window_number <= MAX_WINDOW


def clip_texts(number: str, window_number: int) -> list[str]:
    """The clips of one announcement, in order: 请 A 0 1 2 号 到 3 号窗口办理."""
    return [HEAD, *number, MIDDLE, str(window_number), TAIL]


def _clip(text: str, exe: str) -> Path:
    """The WAV of one clip, made once (only texts of the fixed set are ever made)."""
    if text not in CLIP_TEXTS:
        raise ValueError(f"not a clip: {text!r}")
    name = hashlib.sha256(f"{VOICE}|{text}".encode()).hexdigest()[:24] + ".wav"
    target = clip_dir() / name
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            tmp = _private_tmp(target)
            subprocess.run(  # noqa: S603 - fixed executable, text from the fixed clip set
                [exe, "-v", VOICE, "-s", "140", "-w", str(tmp), text],
                check=True,
                capture_output=True,
                timeout=20,
            )
            tmp.replace(target)
    return target


def _private_tmp(target: Path) -> Path:
    """A temporary name of this process's own: `_lock` serializes threads, not the worker
    processes of `serve --workers N`, which may make the same clip at once; each writes its own
    file and the atomic rename lets either win (the WAVs are identical)."""
    return target.with_name(f"{target.stem}.{os.getpid()}.tmp")


def announcement_wav(*, number: str, window_number: int) -> bytes | None:
    """The announcement as one WAV, joined from the clips; None without espeak-ng or for a
    malformed number. The caller checks that the call really happened."""
    exe = espeak_path()
    if exe is None or not is_valid(number, window_number):
        return None
    out = io.BytesIO()
    with wave.open(out, "wb") as joined:
        for i, text in enumerate(clip_texts(number, window_number)):
            with wave.open(str(_clip(text, exe)), "rb") as part:
                if i == 0:
                    joined.setparams(part.getparams())
                joined.writeframes(part.readframes(part.getnframes()))
    return out.getvalue()


def _prompt_clip(text: str, exe: str) -> Path:
    """One kiosk prompt as a WAV, made once. The caller passes only registered prompts (the
    kiosk tiles' and the start screen's), so the files on disk stay bounded."""
    folder = clip_dir().parent / "prompts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (hashlib.sha256(f"{VOICE}|{text}".encode()).hexdigest()[:24] + ".wav")
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            tmp = _private_tmp(target)
            subprocess.run(  # noqa: S603 - fixed executable, text from the registered prompts
                [exe, "-v", "cmn", "-s", "150", "-w", str(tmp), text],
                check=True,
                capture_output=True,
                timeout=30,
            )
            tmp.replace(target)
    return target


def prompt_wav(*, text: str) -> bytes | None:
    """A registered kiosk prompt as WAV (the fallback where the browser has no zh-CN voice);
    None without espeak-ng."""
    exe = espeak_path()
    if exe is None or not text:
        return None
    return _prompt_clip(text, exe).read_bytes()
