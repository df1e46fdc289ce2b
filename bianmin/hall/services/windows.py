"""Window sessions: sign in (签到), sign out (签退), pause (暂停) and resume (恢复服务)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.errors import Conflict, PermissionDenied
from bianmin.core.permissions import Perm
from bianmin.hall.enums import EventKind
from bianmin.hall.errors import HallError
from bianmin.hall.models import WindowSession
from bianmin.hall.selectors import open_windows_forget
from bianmin.hall.services._common import (
    atomic_write,
    change_record,
    check_window,
    holding,
    open_session_locked,
    require,
    seconds_between,
    window_get,
)


def _window_change(
    kind: EventKind, session: WindowSession, *, actor: StaffActor, at: datetime, **data: Any
) -> None:
    open_windows_forget(center_id=session.center_id)  # the wait estimates divide by it
    change_record(
        kind,
        actor=actor,
        at=at,
        center_id=session.center_id,
        window=session.window,
        after={"window": session.window.code, **data},
        **data,
    )


def window_sign_in(*, actor: StaffActor, window_code: str) -> WindowSession:
    """签到: the officer works at this window; a session elsewhere ends first."""
    require(actor, Perm.TICKET_CALL)
    if actor.center_id is None:
        raise PermissionDenied(_("您的账户不属于任何中心"))
    try:
        return _window_sign_in(actor=actor, window_code=window_code)
    except IntegrityError:
        raise Conflict(
            _("%s 窗口刚刚有人签到，请选择其他窗口") % window_code, code=HallError.WINDOW_TAKEN
        ) from None


@atomic_write
def _window_sign_in(*, actor: StaffActor, window_code: str) -> WindowSession:
    now = clock.now()
    window = window_get(actor, window_code)
    current = open_session_locked(actor)
    if current is not None and current.window_id == window.pk:
        return current
    holder = (
        WindowSession.objects.select_related("officer")
        .filter(window=window, ended_at__isnull=True)
        .first()
    )
    if holder is not None:
        raise Conflict(
            _("%(window)s 已有 %(officer)s 签到")
            % {"window": window.name, "officer": holder.officer},
            code=HallError.WINDOW_TAKEN,
        )
    if holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再换窗口"), code=HallError.CURRENT_TICKET)
    if current is not None:
        _end_session(current, actor=actor, now=now)
    session = WindowSession.objects.create(
        center_id=home_center_id(actor), window=window, officer_id=actor.pk, started_at=now
    )
    _window_change(EventKind.SIGN_IN, session, actor=actor, at=now)
    return session


def _end_session(session: WindowSession, *, actor: StaffActor, now: datetime) -> None:
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    _window_change(EventKind.SIGN_OUT, session, actor=actor, at=now)


@atomic_write
def window_sign_out(*, actor: StaffActor, window_code: str | None = None) -> None:
    """签退 (close the window)."""
    now = clock.now()
    session = check_window(open_session_locked(actor), window_code, actor=actor)
    if holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再签退"), code=HallError.CURRENT_TICKET)
    _end_session(session, actor=actor, now=now)


@atomic_write
def window_pause(
    *, actor: StaffActor, window_code: str | None = None, reason: str = ""
) -> WindowSession:
    """暂停 (a break): the window stays signed in but call-next is refused."""
    now = clock.now()
    session = check_window(open_session_locked(actor), window_code, actor=actor)
    if session.is_paused:
        return session
    if holding(actor, now) is not None:
        raise Conflict(_("请先办结当前号，再暂停"), code=HallError.CURRENT_TICKET)
    session.paused_at = now
    session.pause_reason = (reason or "")[:40]
    session.save(update_fields=["paused_at", "pause_reason"])
    _window_change(EventKind.PAUSE, session, actor=actor, at=now, reason=session.pause_reason)
    return session


@atomic_write
def window_resume(*, actor: StaffActor, window_code: str | None = None) -> WindowSession:
    """恢复服务: calling is possible again; the event records how long the break was."""
    now = clock.now()
    session = check_window(open_session_locked(actor), window_code, actor=actor)
    if not session.is_paused:
        return session
    paused_seconds = seconds_between(now, session.paused_at)
    session.paused_at = None
    session.pause_reason = ""
    session.save(update_fields=["paused_at", "pause_reason"])
    _window_change(EventKind.RESUME, session, actor=actor, at=now, paused_seconds=paused_seconds)
    return session
