"""双随机一公开: the commitment, an independent recomputation, recusal, the one run, the
inspection with findings and re-check, publication within 20 working days."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from bianmin.audit.models import AuditEntry
from bianmin.core.errors import DomainError
from bianmin.standards.models import Draw, Finding, StaffProfile
from bianmin.standards.services import (
    draw_create,
    draw_finish,
    draw_publish,
    draw_run,
    finding_recheck,
    finding_record,
    finding_rectify,
)

pytestmark = pytest.mark.django_db
WINDOWS = [f"W{i:02d}" for i in range(1, 13)]


def sm3(text: str) -> str:
    # Independent of the product's code: OpenSSL's SM3 through hashlib, as the public page says.
    return hashlib.new("sm3", text.encode("utf-8")).hexdigest()


def test_sm3_is_the_standard_one():
    assert sm3("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_the_commitment_and_selection_recompute_independently(clock, hall, director, inspectors):
    draw = draw_create(
        actor=director, name="12 月窗口检查", object_type="window", k=3, inspectors_k=2
    )
    assert draw.seed not in json.dumps(
        [e.after for e in AuditEntry.objects.filter(action="draw_committed")]
    )
    ran = draw_run(actor=director, draw_id=draw.pk)

    objects_hash = sm3("\n".join(WINDOWS))
    inspectors_hash = sm3("\n".join(["inspector01", "inspector02", "inspector03"]))
    conflicts_hash = sm3("{}")
    assert (ran.objects_hash, ran.inspectors_hash, ran.conflicts_hash) == (
        objects_hash,
        inspectors_hash,
        conflicts_hash,
    )
    assert sm3(f"{ran.seed}|{objects_hash}|{inspectors_hash}|{conflicts_hash}") == draw.commitment
    by_rank = sorted(WINDOWS, key=lambda key: sm3(f"{ran.seed}|{key}"))
    assert ran.selected_objects == by_rank[:3]
    people = sorted(
        ["inspector01", "inspector02", "inspector03"], key=lambda n: sm3(f"{ran.seed}|{n}")
    )
    assert ran.selected_inspectors == people[:2]


def test_a_second_run_on_the_same_commitment_is_refused_and_audited(
    clock, hall, director, inspectors
):
    draw = draw_create(actor=director, name="检查", object_type="window", k=2, inspectors_k=2)
    first = draw_run(actor=director, draw_id=draw.pk)

    with pytest.raises(DomainError) as err:
        draw_run(actor=director, draw_id=draw.pk)

    assert err.value.code == "already_drawn"
    again = Draw.objects.get(pk=draw.pk)
    assert (again.seed, again.selected_objects) == (first.seed, first.selected_objects)
    assert (
        AuditEntry.objects.filter(action="draw_rerun_refused", target_id=str(draw.pk)).count() == 1
    )
    assert AuditEntry.objects.filter(action="draw_run").count() == 1


def test_more_objects_than_exist_is_refused_with_nothing_created(clock, hall, director, inspectors):
    with pytest.raises(DomainError) as err:
        draw_create(actor=director, name="检查", object_type="window", k=13, inspectors_k=2)
    assert err.value.code == "too_many_objects"
    assert "名录中只有 12 个" in err.value.message
    with pytest.raises(DomainError) as err:
        draw_create(actor=director, name="检查", object_type="window", k=2, inspectors_k=1)
    assert err.value.code == "too_many_inspectors"
    assert not Draw.objects.exists()


def test_an_inspector_never_draws_their_own_window(clock, hall, director, inspectors):
    own, second, _free = inspectors
    StaffProfile.objects.create(center=hall, staff=own, window_code="W01")
    StaffProfile.objects.create(center=hall, staff=second, window_code="W02")
    draw = draw_create(
        actor=director,
        name="检查",
        object_type="window",
        objects=["W01", "W02"],
        k=2,
        inspectors_k=1 + 1,
    )
    assert draw.conflicts == {"inspector01": ["W01"], "inspector02": ["W02"]}

    with pytest.raises(DomainError) as err:  # only inspector03 is free of both windows
        draw_run(actor=director, draw_id=draw.pk)
    assert err.value.code == "inspector_must_recuse"
    assert Draw.objects.get(pk=draw.pk).status == "committed"


def test_recusal_passes_over_a_relative_and_takes_the_next_in_rank(
    clock, hall, director, inspectors, make_staff
):
    from bianmin.core.permissions import Role

    officers = [make_staff(Role.OFFICER, username=f"officer9{i}") for i in range(3)]
    StaffProfile.objects.create(center=hall, staff=inspectors[0], relatives=["officer90"])
    StaffProfile.objects.create(center=hall, staff=inspectors[1], team="一组")
    StaffProfile.objects.create(center=hall, staff=officers[1], team="一组")
    draw = draw_create(
        actor=director,
        name="民警检查",
        object_type="officer",
        objects=[o.username for o in officers],
        k=3,
        inspectors_k=1 + 1,
        inspectors=[i.username for i in inspectors] + ["director01"],
    )
    assert draw.conflicts == {"inspector01": ["officer90"], "inspector02": ["officer91"]}

    ran = draw_run(actor=director, draw_id=draw.pk)

    assert set(ran.selected_inspectors) == {"inspector03", "director01"}


def test_a_commitment_recomputed_with_other_lists_is_refused(clock, hall, director, inspectors):
    draw = draw_create(actor=director, name="检查", object_type="window", k=2, inspectors_k=2)
    Draw.objects.filter(pk=draw.pk).update(object_list=["W01", "W02"])  # the lists changed

    with pytest.raises(DomainError) as err:
        draw_run(actor=director, draw_id=draw.pk)

    assert err.value.code == "commitment_mismatch"
    assert "检查对象名录与公布的哈希不一致" in err.value.message
    assert Draw.objects.get(pk=draw.pk).selected_objects == []


def test_verify_draw_recomputes_and_fails_on_tampering(clock, hall, director, inspectors):
    draw = draw_create(actor=director, name="检查", object_type="window", k=3, inspectors_k=2)
    draw_run(actor=director, draw_id=draw.pk)
    out = StringIO()
    call_command("verify_draw", str(draw.pk), stdout=out)
    assert "核验通过" in out.getvalue()

    Draw.objects.filter(pk=draw.pk).update(selected_objects=["W12", "W11", "W10"])
    with pytest.raises(CommandError, match="复算的抽中对象与公布的不一致"):
        call_command("verify_draw", str(draw.pk), stdout=StringIO())


def test_the_inspection_from_findings_to_the_public_page(clock, hall, director, inspectors):
    draw = draw_create(
        actor=director, name="12 月窗口检查", object_type="window", k=2, inspectors_k=2
    )
    ran = draw_run(actor=director, draw_id=draw.pk)
    by_name = {i.username: i for i in inspectors}
    inspector = by_name[ran.selected_inspectors[0]]
    outsider = next(i for i in inspectors if i.username not in ran.selected_inspectors)
    target = ran.selected_objects[0]

    with pytest.raises(DomainError) as err:
        finding_record(actor=outsider, draw_id=draw.pk, object_key=target, checklist={})
    assert err.value.code == "permission_denied"
    with pytest.raises(DomainError) as err:
        finding_record(
            actor=inspector,
            draw_id=draw.pk,
            object_key=target,
            checklist={"sign": True},
            text="群众 13912345678 反映等候过久",
            rectify_workdays=5,
        )
    assert err.value.code == "personal_data"
    with pytest.raises(DomainError) as err:
        finding_record(
            actor=inspector,
            draw_id=draw.pk,
            object_key=target,
            checklist={"sign": True, "uniform": True, "conduct": True, "signin": False},
        )
    assert err.value.message == (
        "检查清单“按时签到、无空岗”不合格，请写明发现的问题并给出整改时限。"
    )
    assert not Finding.objects.exists()

    finding = finding_record(
        actor=inspector,
        draw_id=draw.pk,
        object_key=target,
        checklist={"sign": True, "uniform": False},
        text="事项指南未更新",
        evidence=["https://example.invalid/photo/1.jpg"],
        rectify_workdays=5,
    )
    assert finding.rectify_due.isoformat() == "2026-12-08"  # 5 working days after Tue 1 Dec
    assert finding.checklist == {"sign": True, "uniform": False, "conduct": False, "signin": False}
    finding_rectify(actor=director, finding_id=finding.pk, note="已更换指南")
    finding_recheck(actor=inspector, finding_id=finding.pk, passed=True, note="复查合格")
    assert Finding.objects.get(pk=finding.pk).status == "closed"

    finished = draw_finish(actor=director, draw_id=draw.pk)
    assert finished.publish_due.isoformat() == "2026-12-29"  # 20 working days
    draw_publish(actor=director, draw_id=draw.pk, summary="抽查 2 个窗口，发现 1 个问题，已整改。")

    page = Client().get(f"/inspections/public/{draw.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert draw.commitment in text
    assert ran.seed in text
    assert "与公布名单一致" in text
    assert "事项指南未更新" in text


def test_the_public_page_hides_a_draw_until_it_is_published(clock, hall, director, inspectors):
    draw = draw_create(actor=director, name="检查", object_type="window", k=2, inspectors_k=2)
    draw_run(actor=director, draw_id=draw.pk)
    assert Client().get(f"/inspections/public/{draw.pk}/").status_code == 404


def test_a_case_pool_of_a_month_and_the_officer_who_accepted_a_case_recuses(
    hall, director, inspectors, officer, accepted_case
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(
        datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        case = accepted_case("HZ02")
    with time_machine.travel(
        datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        from bianmin.standards.services import object_pool

        assert object_pool(center_id=hall.pk, object_type="case", month=None) == {
            case.number: officer.pk
        }
        draw = draw_create(
            actor=director,
            name="11 月办件抽查",
            object_type="case",
            k=1,
            inspectors_k=2,
            inspectors=[inspectors[0].username, inspectors[1].username, officer.username],
        )
    assert draw.object_list == [case.number]
    assert draw.conflicts == {officer.username: [case.number]}


def test_evidence_photos_are_kept_for_staff_and_a_non_image_is_refused(
    clock, hall, director, inspectors, login_client_for
):
    import io

    from PIL import Image

    draw = draw_create(actor=director, name="检查", object_type="window", k=1, inspectors_k=2)
    ran = draw_run(actor=director, draw_id=draw.pk)
    inspector = next(i for i in inspectors if i.username == ran.selected_inspectors[0])
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")

    with pytest.raises(DomainError) as err:
        finding_record(
            actor=inspector,
            draw_id=draw.pk,
            object_key=ran.selected_objects[0],
            checklist={},
            photos=[b"not an image"],
        )
    assert "第 1 张照片" in err.value.message
    assert not Finding.objects.exists()

    finding = finding_record(
        actor=inspector,
        draw_id=draw.pk,
        object_key=ran.selected_objects[0],
        checklist={},
        text="公示牌缺失",
        rectify_workdays=2,
        photos=[buffer.getvalue()],
    )
    photo = finding.photos.get()
    assert (photo.content_type, photo.size) == ("image/png", len(buffer.getvalue()))
    shown = login_client_for(director).get(f"/standards/photos/{photo.pk}/")
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/png")
