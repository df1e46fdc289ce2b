"""出诊式服务: requests (public with an SMS code, or staff), the shift leader's review, mobile
teams, route planning with the contacts' SMS, on-site capture that creates the case through
the cases context, and delivery of the certificate to the home."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.accounts.selectors import staff_of_center
from bianmin.appointments import pipeline, wording
from bianmin.appointments.enums import (
    HOME_VISIT_ITEMS,
    FingerprintStatus,
    HomeVisitReason,
    HomeVisitStatus,
    RequesterKind,
)
from bianmin.appointments.errors import AppointmentError
from bianmin.appointments.events import HomeVisitDelivered, HomeVisitDone
from bianmin.appointments.models import HomeVisit, MobileTeam, PhoneCode
from bianmin.appointments.services.common import (
    center_by_code,
    clean_person,
    date_label,
    need,
    rules_for,
)
from bianmin.audit.enums import AuditAction
from bianmin.audit.services import audit_record
from bianmin.cases.enums import PickupMethod
from bianmin.cases.selectors import case_get
from bianmin.cases.services import ApplicantInput, case_pickup, case_submit
from bianmin.catalogue.selectors import item_get
from bianmin.core import clock
from bianmin.core.actors import StaffActor, home_center_id
from bianmin.core.crypto import blind_index
from bianmin.core.errors import Conflict, DomainError, NotFound
from bianmin.core.events import publish
from bianmin.core.masking import mask_name, mask_phone
from bianmin.core.permissions import Perm, has_perm
from bianmin.core.ratelimit import cache_hit
from bianmin.core.validators import is_mobile
from bianmin.identity.services import frame_problems
from bianmin.notifications.services import sms_enqueue
from bianmin.people.idnumber import check_id_number

CODE_TTL = timedelta(minutes=5)
CODE_MAX_TRIES = 5


# --- the contact's phone, verified by SMS code --------------------------------------------


def _clean_mobile(phone: str) -> str:
    phone = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not is_mobile(phone):
        raise DomainError(
            _("手机号码应为11位大陆手机号，例如 13912345678。"),
            code=AppointmentError.INVALID_PHONE,
        )
    return phone


def _code_hash(phone: str, code: str) -> str:
    return blind_index(f"{phone}:{code}", purpose="home_visit_code")


def visit_code_send(*, center_code: str, phone: str, client: str) -> None:
    """Text a six-digit code to the contact's phone (throttled per phone and per address)."""
    center = center_by_code(center_code)
    phone = _clean_mobile(phone)
    if (
        cache_hit(f"appointments:code:ip:{client}", 3600) > 10
        or cache_hit(f"appointments:code:phone:{_code_hash(phone, '')}", 60) > 1
    ):
        raise DomainError(
            _("获取验证码过于频繁，请稍后再试。"), code=AppointmentError.THROTTLED, status=429
        )
    now = clock.now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        index = _code_hash(phone, "")
        PhoneCode.objects.filter(
            center_id=center.pk, phone_index=index, used_at__isnull=True
        ).update(used_at=now)
        row = PhoneCode.objects.create(
            center_id=center.pk,
            phone_index=index,
            code_hash=_code_hash(phone, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        sms_enqueue(
            center_id=center.pk,
            template_code=wording.VISIT_CODE,
            phone=phone,
            params={"code": code},
            dedupe_key=f"home_visit:code:{row.pk}",
            urgent=True,
        )


def _code_verify(*, center_id: int, phone: str, code: str) -> None:
    wrong = DomainError(_("验证码不正确或已过期，请重新获取。"), code=AppointmentError.CODE_INVALID)
    now = clock.now()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(
                center_id=center_id,
                phone_index=_code_hash(phone, ""),
                used_at__isnull=True,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if row is None:
            raise wrong
        ok = secrets.compare_digest(row.code_hash, _code_hash(phone, (code or "").strip()))
        if ok:
            row.used_at = now
        else:
            row.failed_attempts += 1
            if row.failed_attempts >= CODE_MAX_TRIES:
                row.used_at = now
        row.save(update_fields=["used_at", "failed_attempts"])
    if not ok:
        raise wrong


# --- request and review ----------------------------------------------------------------------


@dataclass(frozen=True)
class VisitInput:
    name: str
    id_number: str
    phone: str
    town: str
    community: str
    address: str
    reason: str
    item_codes: list[str]
    requester_kind: str
    contact_name: str
    contact_phone: str
    health_note: str = ""
    preferred_weekdays: list[int] = field(default_factory=list)
    out_of_area: bool = False


def _next_number(center_id: int) -> str:
    stem = f"SM-{clock.today():%Y%m%d}-"
    last = (
        HomeVisit.objects.filter(number__startswith=stem)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{seq:04d}"


def _clean_visit(center_id: int, data: VisitInput) -> dict[str, Any]:
    person = clean_person(name=data.name, id_number=data.id_number, phone=data.phone)
    rules = rules_for(center_id)
    towns = {t.get("name") for t in rules.towns or []}
    town = (data.town or "").strip()
    address = (data.address or "").strip()
    if not town or not address or len(address) > 200:
        raise DomainError(_("请填写镇（街道）和详细地址。"), code=AppointmentError.INVALID_ADDRESS)
    if towns and town not in towns and not data.out_of_area:
        raise DomainError(
            _("“%(t)s”不在本县乡镇名单内；县外（外地）上门请勾选“县外地址”。") % {"t": town},
            code=AppointmentError.OUT_OF_AREA,
        )
    if data.reason not in HomeVisitReason.values:
        raise DomainError(_("请选择上门原因。"), code=AppointmentError.INVALID_REASON)
    if data.requester_kind not in RequesterKind.values:
        raise DomainError(_("请选择申请方。"), code=AppointmentError.INVALID_REASON)
    codes = [c.strip().upper() for c in data.item_codes if c and c.strip()]
    if not codes or any(c not in HOME_VISIT_ITEMS for c in codes):
        raise DomainError(
            _("请选择可上门办理的事项（居民身份证首次申领、换领、补领，户口簿）。"),
            code=AppointmentError.UNKNOWN_ITEM,
        )
    contact_name = (data.contact_name or "").strip()
    if not contact_name or len(contact_name) > 30:
        raise DomainError(_("请填写联系人姓名。"), code=AppointmentError.INVALID_NAME)
    contact_phone = _clean_mobile(data.contact_phone)
    weekdays = sorted({int(d) for d in data.preferred_weekdays if 0 <= int(d) <= 6})
    return {
        "name": person.name,
        "name_masked": person.name_masked,
        "id_number": person.id_number,
        "id_index": person.id_index,
        "id_masked": person.id_masked,
        "phone": person.phone,
        "phone_masked": person.phone_masked,
        "gender": "M" if person.gender == "male" else ("F" if person.gender else ""),
        "town": town[:30],
        "community": (data.community or "").strip()[:30],
        "address": address,
        "is_out_of_area": bool(town not in towns and data.out_of_area),
        "reason": data.reason,
        "health_note": (data.health_note or "").strip()[:300],
        "item_codes": codes,
        "requester_kind": data.requester_kind,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_phone_masked": mask_phone(contact_phone),
        "preferred_weekdays": weekdays,
    }


def home_visit_request(
    *, actor: StaffActor | None, center_code: str, data: VisitInput, phone_code: str = ""
) -> HomeVisit:
    """申请上门: by staff (phone call, walk-in) or on the public page with the contact's phone
    proven by an SMS code. Nothing is written on bad input."""
    center = center_by_code(center_code)
    if actor is not None:
        need(actor, Perm.HOME_VISIT_VIEW)
        if actor.center_id != center.pk:
            raise DomainError(
                _("只能为本中心登记上门服务。"),
                code=AppointmentError.PERMISSION_DENIED,
                status=403,
            )
    fields = _clean_visit(center.pk, data)
    if actor is None:
        _code_verify(center_id=center.pk, phone=fields["contact_phone"], code=phone_code)
    with transaction.atomic():
        visit = HomeVisit.objects.create(
            center_id=center.pk,
            number=_next_number(center.pk),
            requested_at=clock.now(),
            taken_by_id=getattr(actor, "pk", None),
            **fields,
        )
        audit_record(
            actor=actor,
            action=AuditAction.HOME_VISIT_REQUESTED,
            target=visit,
            center_id=center.pk,
            after={
                "number": visit.number,
                "town": visit.town,
                "items": visit.item_codes,
                "id_number": visit.id_masked,
            },
        )
    return visit


def _visit_for_update(actor: StaffActor, number: str) -> HomeVisit:
    visit = (
        HomeVisit.objects.select_for_update()
        .filter(center_id=home_center_id(actor), number=(number or "").strip().upper())
        .first()
    )
    if visit is None:
        raise NotFound(_("没有找到该上门服务。"), code=AppointmentError.NOT_FOUND)
    return visit


def is_team_member(visit: HomeVisit, actor: Any) -> bool:
    """The visit's team includes the actor (a team sees only its own visits' personal data)."""
    team = visit.team
    return team is not None and team.officers.filter(pk=int(getattr(actor, "pk", 0) or 0)).exists()


def _officer_ids(visit: HomeVisit) -> tuple[int, ...]:
    team = visit.team
    return tuple(sorted(team.officers.values_list("pk", flat=True))) if team is not None else ()


def _move(visit: HomeVisit, to: str) -> None:
    if not pipeline.can_visit_transition(visit.status, to):
        raise Conflict(
            _("该上门服务当前状态为“%(s)s”，不能执行此操作。") % {"s": visit.get_status_display()},
            code=AppointmentError.INVALID_TRANSITION,
        )
    visit.status = to


@transaction.atomic
def home_visit_review(
    *, actor: StaffActor, number: str, approve: bool, reason: str = ""
) -> HomeVisit:
    """值班长 approves or refuses (with a reason); the contact gets an SMS either way."""
    need(actor, Perm.HOME_VISIT_REVIEW)
    visit = _visit_for_update(actor, number)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError(_("不予上门须填写原因。"), code=AppointmentError.INVALID_REASON)
    _move(visit, HomeVisitStatus.APPROVED if approve else HomeVisitStatus.REFUSED)
    visit.reviewed_by_id = actor.pk
    visit.reviewed_at = clock.now()
    visit.refusal_reason = "" if approve else reason[:200]
    visit.save()
    audit_record(
        actor=actor,
        action=AuditAction.HOME_VISIT_REVIEWED,
        target=visit,
        center_id=visit.center_id,
        after={"approve": approve, "reason": reason[:200]},
    )
    sms_enqueue(
        center_id=visit.center_id,
        template_code=wording.VISIT_APPROVED if approve else wording.VISIT_REFUSED,
        phone=visit.contact_phone or "",
        params={"case_number": visit.number, "center": "便民服务中心"},
        dedupe_key=f"home_visit:{visit.pk}:review",
        actor=actor,
    )
    return visit


# --- teams and routes ------------------------------------------------------------------------


@transaction.atomic
def team_save(
    *,
    actor: StaffActor,
    name: str,
    officer_ids: list[int],
    vehicle: str,
    kit: list[str],
    weekdays: list[int],
    team_id: int | None = None,
) -> MobileTeam:
    need(actor, Perm.HOME_VISIT_PLAN)
    center_id = home_center_id(actor)
    officers = list(staff_of_center(center_id=center_id).filter(pk__in=officer_ids))
    if len(set(officer_ids)) != 2 or len(officers) != 2:
        raise DomainError(
            _("流动服务队须由本中心两名民警组成。"), code=AppointmentError.INVALID_TEAM
        )
    if not (name or "").strip() or not (vehicle or "").strip():
        raise DomainError(_("请填写队名和车辆。"), code=AppointmentError.INVALID_TEAM)
    days = sorted({int(d) for d in weekdays if 0 <= int(d) <= 6})
    if not days:
        raise DomainError(_("请选择可出勤的日子。"), code=AppointmentError.INVALID_TEAM)
    if team_id:
        team = MobileTeam.objects.filter(pk=team_id, center_id=center_id).first()
        if team is None:
            raise NotFound(_("没有找到该服务队。"), code=AppointmentError.NOT_FOUND)
    else:
        team = MobileTeam(center_id=center_id)
    team.name, team.vehicle = name.strip()[:40], vehicle.strip()[:30]
    team.kit = [k.strip()[:20] for k in kit if k and k.strip()]
    team.weekdays = days
    team.save()
    team.officers.set(officers)
    audit_record(
        actor=actor,
        action=AuditAction.HOME_VISIT_TEAM_SAVED,
        target=team,
        center_id=center_id,
        after={"name": team.name, "officers": [o.pk for o in officers], "weekdays": days},
    )
    return team


@dataclass(frozen=True)
class PlanResult:
    routes: list[tuple[MobileTeam, pipeline.Route]]
    left_over: int


def routes_plan(*, actor: StaffActor, start: date, days: int = 7) -> PlanResult:
    """The planner: approved visits grouped by area into routes of each team's available days
    (per-day capacity), ordered by nearest neighbour; each contact gets an SMS with the date
    and a time window. Visits already scheduled keep their place."""
    need(actor, Perm.HOME_VISIT_PLAN)
    center_id = home_center_id(actor)
    if start < clock.today():
        raise DomainError(_("日期不能早于今天。"), code=AppointmentError.DATE_IN_PAST)
    rules = rules_for(center_id)
    positions = {
        str(t["name"]): (float(t.get("x", 0)), float(t.get("y", 0))) for t in rules.towns or []
    }
    out: list[tuple[MobileTeam, pipeline.Route]] = []
    with transaction.atomic():
        waiting = list(
            HomeVisit.objects.select_for_update()
            .filter(center_id=center_id, status=HomeVisitStatus.APPROVED)
            .order_by("requested_at")
        )
        by_id = {v.pk: v for v in waiting}
        stops = [
            pipeline.Stop(v.pk, v.town, frozenset(v.preferred_weekdays or ())) for v in waiting
        ]
        for team in MobileTeam.objects.filter(center_id=center_id, is_active=True).order_by("pk"):
            if not stops:
                break
            team_days = [
                start + timedelta(days=i)
                for i in range(days)
                if (start + timedelta(days=i)).weekday() in (team.weekdays or [])
            ]
            free_days = []
            for day in team_days:
                used = HomeVisit.objects.filter(team=team, visit_day=day).count()
                if used == 0:
                    free_days.append(day)
            routes, stops = pipeline.plan_routes(
                stops, days=free_days, positions=positions, capacity=rules.visit_capacity_per_day
            )
            for route in routes:
                windows = pipeline.arrival_windows(len(route.stops))
                for order, (stop, (w_from, w_to)) in enumerate(
                    zip(route.stops, windows, strict=True), 1
                ):
                    visit = by_id[stop.visit_id]
                    _move(visit, HomeVisitStatus.SCHEDULED)
                    visit.team, visit.visit_day, visit.route_order = team, route.day, order
                    visit.window_from, visit.window_to = w_from, w_to
                    visit.save()
                    items = "、".join(item_get(code=c).name for c in visit.item_codes[:1])
                    sms_enqueue(
                        center_id=center_id,
                        template_code=wording.VISIT_SCHEDULED,
                        phone=visit.contact_phone or "",
                        params={
                            "date": date_label(route.day),
                            "time": w_from.strftime("%H:%M"),
                            "item": items or "居民身份证",
                        },
                        dedupe_key=f"home_visit:{visit.pk}:scheduled:{route.day.isoformat()}",
                        actor=actor,
                    )
                out.append((team, route))
        audit_record(
            actor=actor,
            action=AuditAction.HOME_VISIT_PLANNED,
            target_type="home_visit_plan",
            target_id=start.isoformat(),
            center_id=center_id,
            after={"routes": len(out), "left_over": len(stops)},
        )
    return PlanResult(out, len(stops))


# --- on site ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureInput:
    photo: bytes
    fingerprints: str
    signature: str  # data URL of the signature drawn on the tablet
    materials: dict[str, str]  # material code → provided / missing
    latitude: str
    longitude: str
    captured_at: datetime | None
    capture_key: str


def background_is_white(photo: bytes) -> bool:
    """白底: the border strips of the photo are light and nearly colourless."""
    try:
        image = Image.open(io.BytesIO(photo)).convert("RGB")
    except (UnidentifiedImageError, OSError):
        return False
    w, h = image.size
    band = max(2, min(w, h) // 20)
    strips = [
        np.asarray(image.crop(box).resize((16, 16)), dtype=np.int16).reshape(-1, 3)
        for box in ((0, 0, w, band), (0, 0, band, h), (w - band, 0, w, h))
    ]
    pixels = np.concatenate(strips)
    light = (pixels.min(axis=1) >= 200) & (pixels.max(axis=1) - pixels.min(axis=1) <= 30)
    return bool(light.mean() >= 0.9)


def photo_problems(photo: bytes) -> list[str]:
    problems = [] if background_is_white(photo) else [_("背景不是白色，请在白色背景前拍摄。")]
    return problems + frame_problems(photo)


def _decimal(value: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("定位信息有误。"), code=AppointmentError.INVALID_POINT) from None
    if not low <= number <= high:
        raise DomainError(_("定位信息有误。"), code=AppointmentError.INVALID_POINT)
    return number.quantize(Decimal("0.000001"))


def home_visit_capture(*, actor: StaffActor, number: str, data: CaptureInput) -> HomeVisit:
    """At the home: the photo passes the white-background and the identity context's face
    checks, the signature is there; the case is submitted through the cases context (accepted
    at the home, deadline by working days) and the visit is done with GPS point and time. The
    same capture sent twice (offline queue replay) is applied once."""
    need(actor, Perm.HOME_VISIT_VIEW)
    key = (data.capture_key or "").strip()[:64] or None
    if key:
        done = HomeVisit.objects.filter(center_id=home_center_id(actor), capture_key=key).first()
        if done is not None:
            return done
    problems = photo_problems(data.photo)
    if problems:
        raise DomainError(
            _("照片不合格：%(p)s") % {"p": "；".join(problems)},
            code=AppointmentError.PHOTO_REJECTED,
        )
    if not (data.signature or "").startswith("data:image/") or len(data.signature) < 100:
        raise DomainError(_("请申请人（或代签人）签名。"), code=AppointmentError.SIGNATURE_MISSING)
    if data.fingerprints not in FingerprintStatus.values:
        raise DomainError(_("请选择指纹采集情况。"), code=AppointmentError.INVALID_REASON)
    lat = _decimal(data.latitude, -90, 90)
    lon = _decimal(data.longitude, -180, 180)
    with transaction.atomic():
        visit = _visit_for_update(actor, number)
        if not is_team_member(visit, actor):
            raise NotFound(_("没有找到该上门服务。"), code=AppointmentError.NOT_FOUND)
        _move(visit, HomeVisitStatus.DONE)
        item_code = visit.item_codes[0]
        result = case_submit(
            actor=actor,
            item_code=item_code,
            applicant=ApplicantInput(
                name=visit.name or "",
                id_number=visit.id_number or "",
                gender="male" if visit.gender == "M" else "female",
                phone=visit.phone or "",
            ),
            materials={k: v for k, v in data.materials.items() if v in ("provided", "missing")},
        )
        now = clock.now()
        visit.case_id = result.case.pk
        visit.case_number = result.case.number
        visit.done_at = now
        visit.latitude, visit.longitude = lat, lon
        visit.fingerprints = data.fingerprints
        visit.capture_key = key
        visit.capture = {
            "captured_at": (data.captured_at or now).isoformat(),
            "materials": data.materials,
            "signature_bytes": len(data.signature),
            "photo_bytes": len(data.photo),
        }
        visit.save()
        officer_ids = _officer_ids(visit)
        audit_record(
            actor=actor,
            action=AuditAction.HOME_VISIT_DONE,
            target=visit,
            center_id=visit.center_id,
            after={"case": result.case.number, "lat": str(lat), "lon": str(lon)},
        )
        publish(
            HomeVisitDone(
                center_id=visit.center_id,
                visit_id=visit.pk,
                number=visit.number,
                case_id=visit.case_id,
                officer_ids=officer_ids,
                done_at=now,
            )
        )
    return visit


# --- delivery --------------------------------------------------------------------------------


def deliveries_sync(*, center_id: int | None = None) -> int:
    """Periodic: a done visit whose card has arrived (到证 in the cases context) becomes a
    delivery task of its team (one center, or every center when None)."""
    marked = 0
    rows = HomeVisit.objects.filter(status=HomeVisitStatus.DONE, case_number__gt="")
    if center_id is not None:
        rows = rows.filter(center_id=center_id)
    for visit in rows:
        scope = type("Scope", (), {"center_id": visit.center_id})()
        case = case_get(user=scope, number=visit.case_number)
        if case.arrived_at is None:
            continue
        with transaction.atomic():
            row = (
                HomeVisit.objects.select_for_update()
                .filter(pk=visit.pk, status=HomeVisitStatus.DONE)
                .first()
            )
            if row is None:
                continue
            row.status = HomeVisitStatus.DELIVERY_DUE
            row.delivery_due_at = case.arrived_at
            row.save(update_fields=["status", "delivery_due_at", "updated_at"])
            audit_record(
                actor=None,
                action=AuditAction.HOME_VISIT_DELIVERY_DUE,
                target=row,
                center_id=row.center_id,
                after={"case": row.case_number},
            )
            marked += 1
    return marked


@transaction.atomic
def home_visit_deliver(
    *,
    actor: StaffActor,
    number: str,
    signature: str,
    proxy_name: str = "",
    proxy_id_number: str = "",
    relation: str = "",
) -> HomeVisit:
    """送证到家: the applicant signs (or a proxy, with ID number and relation); the case is
    closed as picked up through the cases context."""
    need(actor, Perm.HOME_VISIT_VIEW)
    visit = _visit_for_update(actor, number)
    if not is_team_member(visit, actor):
        raise NotFound(_("没有找到该上门服务。"), code=AppointmentError.NOT_FOUND)
    if not (signature or "").startswith("data:image/") or len(signature) < 100:
        raise DomainError(_("请签收人签名。"), code=AppointmentError.SIGNATURE_MISSING)
    by_proxy = bool((proxy_name or "").strip())
    if by_proxy:
        check = check_id_number((proxy_id_number or "").strip().upper(), today=clock.today())
        if not check.valid or not (relation or "").strip():
            raise DomainError(
                _("代收须填写代收人身份证号码和与申请人的关系。"),
                code=AppointmentError.INVALID_ID_NUMBER,
            )
    _move(visit, HomeVisitStatus.DELIVERED)
    case = case_get(user=actor, number=visit.case_number)
    case_pickup(
        actor=actor,
        case=case,
        method=PickupMethod.ID_CARD,
        proxy_name=proxy_name.strip() if by_proxy else "",
        proxy_id_number=proxy_id_number.strip().upper() if by_proxy else "",
        authorization_note=_("上门送证，代收人与申请人关系：%(r)s") % {"r": relation.strip()}
        if by_proxy
        else "",
    )
    now = clock.now()
    visit.delivered_at = now
    visit.recipient_name_masked = mask_name(proxy_name.strip()) if by_proxy else visit.name_masked
    visit.recipient_relation = relation.strip()[:20] if by_proxy else _("本人")
    visit.save()
    audit_record(
        actor=actor,
        action=AuditAction.HOME_VISIT_DELIVERED,
        target=visit,
        center_id=visit.center_id,
        after={"case": visit.case_number, "proxy": by_proxy},
    )
    publish(
        HomeVisitDelivered(
            center_id=visit.center_id,
            visit_id=visit.pk,
            number=visit.number,
            case_id=visit.case_id,
            officer_ids=_officer_ids(visit),
            delivered_at=now,
        )
    )
    return visit


def home_visit_open(*, actor: StaffActor, number: str) -> HomeVisit:
    """Reading a visit's personal data (address, health reason) is audited; a team member
    sees only their own team's visits."""
    from bianmin.appointments.selectors import visits_visible

    visit = visits_visible(actor=actor).filter(number=(number or "").strip().upper()).first()
    if visit is None:
        raise NotFound(_("没有找到该上门服务。"), code=AppointmentError.NOT_FOUND)
    audit_record(
        actor=actor,
        action=AuditAction.HOME_VISIT_VIEWED,
        target=visit,
        center_id=visit.center_id,
        after={"number": visit.number},
    )
    return visit


def may_review(actor: Any) -> bool:
    return has_perm(actor, Perm.HOME_VISIT_REVIEW)


def day_sheet_visits(
    *, actor: StaffActor, team_id: int, day: date
) -> tuple[MobileTeam, list[HomeVisit]]:
    """The visits of one route for the printed day sheet; printing addresses is audited."""
    from bianmin.appointments.selectors import route_of

    team = MobileTeam.objects.filter(pk=team_id, center_id=home_center_id(actor)).first()
    if team is None:
        raise NotFound(_("没有找到该服务队。"), code=AppointmentError.NOT_FOUND)
    visits = list(route_of(actor=actor, team_id=team.pk, day=day))
    audit_record(
        actor=actor,
        action=AuditAction.HOME_VISIT_VIEWED,
        target=team,
        center_id=team.center_id,
        after={"day_sheet": day.isoformat(), "visits": [v.number for v in visits]},
    )
    return team, visits
