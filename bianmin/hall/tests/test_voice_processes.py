"""Announcement clips made by several worker processes at once (`serve --workers N`): the
thread lock of hall.voice does not reach across processes, so each writes a file of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# A fresh interpreter per process (no fork of the threaded test process): Django settings with
# only VAR_DIR, then the clip, started together when the file `go` appears.
MAKE_CLIP = """
import sys, time
from pathlib import Path
from django.conf import settings
settings.configure(VAR_DIR=Path(sys.argv[1]))
from bianmin.hall import voice
go = Path(sys.argv[1]) / "go"
while not go.exists():
    time.sleep(0.01)
voice._clip(voice.TAIL, sys.argv[2])
"""


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_four_processes_making_the_same_clip_all_succeed_with_a_whole_wav(tmp_path) -> None:
    exe = str(shutil.which("espeak-ng"))
    makers = [
        subprocess.Popen(
            [sys.executable, "-c", MAKE_CLIP, str(tmp_path), exe],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    (tmp_path / "go").touch()
    errors = [maker.communicate(timeout=120)[1] for maker in makers]
    assert [maker.returncode for maker in makers] == [0, 0, 0, 0], errors
    clips = list((tmp_path / "voice" / "clips").iterdir())
    assert [clip.suffix for clip in clips] == [".wav"]  # no temporary file left behind
    with wave.open(str(clips[0]), "rb") as clip:
        assert clip.getnframes() > 0
