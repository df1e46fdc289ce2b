"""Announcement clips made by several worker processes at once (`serve --workers N`): the
thread lock of hall.voice does not reach across processes, so each writes a file of its own."""

from __future__ import annotations

import multiprocessing
import shutil
import wave

import pytest

from bianmin.hall import voice


def _make(text: str, exe: str, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    voice._clip(text, exe)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_two_processes_making_the_same_clip_both_succeed_with_a_whole_wav(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    exe = shutil.which("espeak-ng")
    context = multiprocessing.get_context("fork")  # inherits the overridden settings
    barrier = context.Barrier(4)
    workers = [context.Process(target=_make, args=(voice.TAIL, exe, barrier)) for _ in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    clips = list(voice.clip_dir().iterdir())
    assert len(clips) == 1
    assert clips[0].suffix == ".wav"
    with wave.open(str(clips[0]), "rb") as clip:
        assert clip.getnframes() > 0
