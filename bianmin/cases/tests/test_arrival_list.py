"""Arrival list → preview → one click registers every arrival and sends every pickup notice
exactly once, with a report (moved from notifications: cases owns arrival)."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from bianmin.cases import services
from bianmin.core.errors import Conflict, DomainError, PermissionDenied
from bianmin.notifications.enums import BatchRowStatus, BatchStatus, MessageStatus
from bianmin.notifications.models import Batch, BatchRow, Message
from bianmin.notifications.services import batches_finish
from tests.support.sms_outbox import outbox_lines

pytestmark = pytest.mark.usefixtures("pinned", "templates")


def _preview(**kwargs: Any) -> Batch:
    return Batch.objects.get(pk=services.arrival_list_preview(**kwargs))


def _send(actor: Any, batch_id: int) -> Batch:
    services.arrival_list_send(actor=actor, batch_id=batch_id)
    return Batch.objects.get(pk=batch_id)


def _csv(rows: list[str]) -> bytes:
    return ("受理编号或身份证号码\n" + "\n".join(rows) + "\n").encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号码", "号牌"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_matches_rows_and_lists_every_unmatched_row_with_its_reason(
    waiting_cases: Callable[..., list[Any]], back_office: Any
) -> None:
    # given three cases waiting for their certificate
    a, b, c = waiting_cases(3)
    # when the arrival list names them by number and ID number, plus bad rows
    content = _csv(
        [
            a.number,
            b.id_number_plain,
            "TG-20990101-9999",
            "610522199001011230",
            a.number,
            "hello world!",
            c.number.lower(),
        ]
    )
    batch = _preview(
        actor=back_office, kind="arrival_list", filename="到证清单.csv", content=content
    )
    # then
    rows = {r.row_number: r for r in BatchRow.objects.filter(batch=batch)}
    assert [(n, r.status) for n, r in sorted(rows.items())] == [
        (2, BatchRowStatus.MATCHED),
        (3, BatchRowStatus.MATCHED),
        (4, BatchRowStatus.UNMATCHED),
        (5, BatchRowStatus.UNMATCHED),
        (6, BatchRowStatus.DUPLICATE),
        (7, BatchRowStatus.UNMATCHED),
        (8, BatchRowStatus.MATCHED),
    ]
    assert rows[4].reason == "未找到待到证的办件（编号有误、未受理、已领取或不属于本中心）。"
    assert rows[5].reason.startswith("身份证号码有误")
    assert rows[6].reason == "与第 2 行重复。"
    assert rows[7].reason == "既不是受理编号也不是身份证号码。"
    assert rows[3].value_masked != b.id_number_plain  # ID numbers are never stored in full
    assert rows[3].value_masked.startswith("6105")
    assert (batch.rows_total, batch.rows_matched, batch.rows_unmatched) == (7, 3, 4)
    assert batch.status == BatchStatus.DRAFT
    # nothing is sent by an import (acceptance has already offered each a rating link)
    assert not Message.objects.exclude(template_code="rating_invite").exists()


def test_one_click_sends_every_notice_once_with_row_numbers(
    waiting_cases: Callable[..., list[Any]],
    back_office: Any,
    outbox: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given an imported list of 5 cases
    cases = waiting_cases(5)
    batch = _preview(
        actor=back_office,
        kind="arrival_list",
        filename="a.xlsx",
        content=_xlsx([[c.id_number_plain] for c in cases]),
    )
    # when the officer clicks once
    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(back_office, batch.pk)
    # then every case is registered as arrived and got exactly one notice
    messages = list(Message.objects.filter(batch=batch).order_by("row_number"))
    assert [m.row_number for m in messages] == [2, 3, 4, 5, 6]
    assert [m.case_id for m in messages] == [c.pk for c in cases]
    assert {m.status for m in messages} == {MessageStatus.DELIVERED}
    assert sorted(line["reference"] for line in outbox_lines(outbox)) == sorted(
        m.reference for m in messages
    )
    assert messages[0].text == (
        f"【潼关县公安局】您申请的居民身份证（办件号{cases[0].number}）已制作完成，"
        "请于工作日携带回执到便民服务中心领取。"
    )
    for case in cases:
        case.refresh_from_db()
    assert [(c.next_stage, c.arrived_at is not None) for c in cases] == [("pickup", True)] * 5
    batches_finish()
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.DONE
    # and a second click is refused; a second import finds nothing left to notify
    with pytest.raises(Conflict):
        services.arrival_list_send(actor=back_office, batch_id=batch.pk)
    again = _preview(
        actor=back_office,
        kind="arrival_list",
        filename="a.xlsx",
        content=_xlsx([[c.id_number_plain] for c in cases]),
    )
    assert again.rows_matched == 0
    assert len(outbox_lines(outbox)) == 5


def test_arrival_registered_on_the_other_screen_is_still_notified(
    waiting_cases: Callable[..., list[Any]],
    back_office: Any,
    outbox: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # the review's defect: 到证登记 first, then 到证通知 refused the case and no SMS ever went
    a, b = waiting_cases(2)
    services.case_register_arrival(actor=back_office, case=a)  # registered without a notice
    batch = _preview(
        actor=back_office, kind="arrival_list", filename="x.csv", content=_csv([a.number, b.number])
    )
    assert batch.rows_matched == 2
    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(back_office, batch.pk)
    assert batch.messages_total == 2
    assert sorted(line["params"]["case_number"] for line in outbox_lines(outbox)) == sorted(
        [a.number, b.number]
    )


def test_case_picked_up_after_preview_is_reported_not_sent(
    waiting_cases: Callable[..., list[Any]],
    back_office: Any,
    officer: Any,
    outbox: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    a, b = waiting_cases(2)
    batch = _preview(
        actor=back_office, kind="arrival_list", filename="x.csv", content=_csv([a.number, b.number])
    )
    a = services.case_register_arrival(actor=back_office, case=a)
    services.case_pickup(actor=officer, case=a, method="id_card")  # collected meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        batch = _send(back_office, batch.pk)
    assert batch.messages_total == 1
    row = BatchRow.objects.get(batch=batch, row_number=2)
    assert (row.status, row.reason) == (
        BatchRowStatus.UNMATCHED,
        "预览后办件状态已变化（可能已领取或已撤销），本行未发送。",
    )
    assert [line["params"]["case_number"] for line in outbox_lines(outbox)] == [b.number]


def test_single_arrival_with_notice_queues_the_sms_in_the_same_step(
    waiting_cases: Callable[..., list[Any]],
    back_office: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (a,) = waiting_cases(1)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.case_arrival_batch(actor=back_office, values=[a.number], notify=True)
    assert [(r.ok, r.notified) for r in result.rows] == [(True, True)]
    message = Message.objects.exclude(template_code="rating_invite").get()
    assert (message.case_id, message.template_code) == (a.pk, "pickup_ready")
    # and the list cannot send it twice
    batch = _preview(actor=back_office, kind="arrival_list", text=a.number)
    assert (batch.rows_matched, BatchRow.objects.get(batch=batch).status) == (
        0,
        BatchRowStatus.DUPLICATE,
    )


def test_an_xlsx_bomb_is_refused_before_it_is_opened(back_office: Any, center: Any) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "A" * (30 * 1024 * 1024))
    with pytest.raises(DomainError) as excinfo:
        _preview(
            actor=back_office, kind="arrival_list", filename="b.xlsx", content=buffer.getvalue()
        )
    assert "内容过大" in excinfo.value.message
    assert "解压后" in excinfo.value.message
    assert Batch.objects.count() == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("a.csv", b"", "上传的文件是空的。"),
        ("a.xlsx", b"PK\x03\x04broken", "Excel 文件无法读取，请确认是 .xlsx 格式且未加密。"),
        ("a.pdf", b"%PDF-1.4", "只支持 Excel（.xlsx）或 CSV 文件。"),
        ("a.csv", "受理编号\n".encode(), "文件中没有数据行。第一列应为受理编号或身份证号码。"),
        ("a.csv", b"\x00\x01\x02binary", "文件不是文本格式的 CSV，请上传 .xlsx 或 .csv 文件。"),
    ],
)
def test_malformed_files_are_rejected_with_a_clear_message(
    back_office: Any, center: Any, filename: str, content: bytes, message: str
) -> None:
    with pytest.raises(DomainError) as excinfo:
        _preview(actor=back_office, kind="arrival_list", filename=filename, content=content)
    assert excinfo.value.message == message
    assert Batch.objects.count() == 0


def test_gbk_csv_and_pasted_lines_are_read(
    waiting_cases: Callable[..., list[Any]], back_office: Any
) -> None:
    a, b = waiting_cases(2)
    gbk = f"受理编号\n{a.number}\n".encode("gb18030")
    batch = _preview(actor=back_office, kind="arrival_list", filename="g.csv", content=gbk)
    assert batch.rows_matched == 1
    pasted = _preview(actor=back_office, kind="arrival_list", text=f"{b.number}\n\n")
    assert pasted.rows_matched == 1


def test_applicant_without_valid_phone_is_listed(
    waiting_cases: Callable[..., list[Any]], back_office: Any
) -> None:
    (a,) = waiting_cases(1)
    type(a.applicant).objects.filter(pk=a.applicant_id).update(phone=None)
    batch = _preview(actor=back_office, kind="arrival_list", text=a.number)
    row = BatchRow.objects.get(batch=batch)
    assert (row.status, row.reason) == (
        BatchRowStatus.UNMATCHED,
        "申请人未登记有效手机号，请电话通知。",
    )


@pytest.mark.parametrize("role", ["guide", "director", "inspector", "sanitation", "administrator"])
def test_batch_needs_sms_and_case_permissions(
    staff_by_role: dict[Any, Any], role: str, center: Any
) -> None:
    from bianmin.core.permissions import Role

    with pytest.raises(PermissionDenied):
        _preview(actor=staff_by_role[Role(role)], kind="arrival_list", text="X")
    assert Batch.objects.count() == 0


def test_api_import_reads_the_uploaded_file(
    waiting_cases: Callable[..., list[Any]],
    back_office: Any,
    api_client_for: Callable[[Any], Any],
) -> None:
    (a,) = waiting_cases(1)
    upload = SimpleUploadedFile("one.csv", f"{a.number}\n".encode(), content_type="text/csv")

    response = api_client_for(back_office).post(
        "/api/v1/sms/batches", {"kind": "arrival_list", "file": upload}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["filename"], body["rows_total"], body["rows_matched"]) == ("one.csv", 1, 1)
    assert body["rows"][0]["case_number"] == a.number
    assert Batch.objects.get().filename == "one.csv"


def test_api_import_rejects_an_unreadable_file_by_its_own_reason(
    back_office: Any, api_client_for: Callable[[Any], Any]
) -> None:
    upload = SimpleUploadedFile("list.doc", b"hello")

    response = api_client_for(back_office).post(
        "/api/v1/sms/batches", {"kind": "arrival_list", "file": upload}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "import_invalid",
        "message": "只支持 Excel（.xlsx）或 CSV 文件。",
    }
    assert Batch.objects.count() == 0
