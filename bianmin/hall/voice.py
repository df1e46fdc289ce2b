"""Server-made Mandarin announcements with espeak-ng, cached per text as WAV files.

The display prefers the browser's own zh-CN voice (speechSynthesis); where the browser has
none (many TV sticks), it plays the WAV made here. Only announcement texts built from a ticket
number and a window number are ever synthesized, so the endpoint cannot be used to make
arbitrary speech.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

from django.conf import settings

from bianmin.hall.selectors import announcement_text

VOICE = "cmn-latn-pinyin"
NUMBER_RE = re.compile(r"^[A-Z]\d{3,5}$")
_lock = threading.Lock()


@cache
def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def voice_dir() -> Path:
    path = Path(getattr(settings, "VAR_DIR", Path("var"))) / "voice"
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_valid(number: str, window_number: int) -> bool:
    return bool(NUMBER_RE.match(number)) and 0 < window_number < 100


def announcement_wav(*, number: str, window_number: int) -> Path | None:
    """The WAV file for this call (made once, then served from the cache); None without
    espeak-ng or for a malformed number."""
    exe = espeak_path()
    if exe is None or not is_valid(number, window_number):
        return None
    text = announcement_text(number=number, window_number=window_number)
    name = hashlib.sha256(f"{VOICE}|{text}".encode()).hexdigest()[:32] + ".wav"
    target = voice_dir() / name
    if target.exists():
        return target
    with _lock:
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            subprocess.run(  # noqa: S603 - fixed executable, validated text
                [exe, "-v", VOICE, "-s", "140", "-w", str(tmp), text],
                check=True,
                capture_output=True,
                timeout=20,
            )
            tmp.replace(target)
    return target
