"""Tests of the SMS gateway clients against published signing examples and loopback fakes: signing, segments,
receipt authentication, the console gateway (the provider fakes: ``test_clients_fakes.py``).

No Django is needed: run with ``python -m pytest -p no:django -o addopts="" <this file>``.
Network traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bianmin.notifications.clients import (
    AliyunSmsGateway,
    ConsoleSmsGateway,
    DeliveryState,
    MessageTooLongError,
    OutgoingSms,
    Receipt,
    SegmentCount,
    SignatureError,
    SmsGateway,
    TencentSmsGateway,
    count_segments,
    create_gateway,
    receipt_callback_url,
    receipt_token,
    validate_signature,
)
from bianmin.notifications.clients import aliyun as aliyun_protocol
from bianmin.notifications.clients import tencent as tencent_protocol
from bianmin.notifications.clients.base import CHINA_TZ, china_today
from bianmin.notifications.tests.clients_support import (
    RECEIPT_SECRET,
    SIGNATURE,
    make_sms,
)

# ============================================================================================
# Segment counting and signature rules


def text_of_length(n: int) -> str:
    prefix = f"【{SIGNATURE}】"  # 8 characters, brackets included
    filler = "证件办结请领取abc，123!"
    body = (filler * 50)[: n - len(prefix)]
    return prefix + body


@pytest.mark.parametrize(
    ("length", "segments"),
    [(8, 1), (70, 1), (71, 2), (134, 2), (135, 3), (160, 3), (201, 3), (202, 4), (500, 8)],
)
def test_segment_boundaries(length: int, segments: int) -> None:
    text = text_of_length(length)
    assert len(text) == length
    assert count_segments(text) == SegmentCount(length, segments)


def test_every_character_counts_one_whatever_its_width() -> None:
    assert count_segments("【公安局】，,！!　 A１\n") == SegmentCount(14, 1)


def test_characters_outside_the_bmp_take_two_slots() -> None:
    assert count_segments("【公安局】😀") == SegmentCount(7, 1)


def test_more_than_500_characters_is_rejected() -> None:
    with pytest.raises(MessageTooLongError, match="501"):
        count_segments(text_of_length(501))


def test_empty_text_has_no_segments() -> None:
    assert count_segments("") == SegmentCount(0, 0)


@pytest.mark.parametrize("signature", ["公安局", "潼关县公安局", "潼关县公安局户政", "渭南ABC"])
def test_valid_signatures(signature: str) -> None:
    assert validate_signature(signature) == signature


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("公安", "3～8"),
        ("潼关县公安局户政大队", "3～8"),
        ("ABCDEF", "必须包含汉字"),
        ("123456", "必须包含汉字"),
        ("【潼关县公安局】", "【】"),
        ("潼关 公安局", "空白"),
        ("", "不能为空"),
    ],
)
def test_invalid_signatures(signature: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        validate_signature(signature)


# ============================================================================================
# Alibaba Cloud RPC signature


# The example of Alibaba Cloud's SMS "HTTP protocol and signature" page (GET, testId/testSecret).
ALIYUN_SMS_DOC_PARAMS = {
    "AccessKeyId": "testId",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}

# The example of Alibaba Cloud's generic RPC "signature method" page (ECS DescribeRegions).
ALIYUN_RPC_DOC_PARAMS = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}


def test_aliyun_signature_matches_the_published_sms_example() -> None:
    assert aliyun_protocol.canonicalized_query(ALIYUN_SMS_DOC_PARAMS) == (
        "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001"
        "&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1"
        "%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1"
        "&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
        "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
        "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
    )
    signature = aliyun_protocol.compute_signature("GET", ALIYUN_SMS_DOC_PARAMS, "testSecret")
    assert signature == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_signature_matches_the_published_rpc_example() -> None:
    assert aliyun_protocol.string_to_sign("GET", ALIYUN_RPC_DOC_PARAMS) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26"
    )
    signature = aliyun_protocol.compute_signature("GET", ALIYUN_RPC_DOC_PARAMS, "testsecret")
    assert signature == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_aliyun_percent_encoding_special_replacements() -> None:
    assert aliyun_protocol.percent_encode("a b*c~d+e/f") == "a%20b%2Ac~d%2Be%2Ff"
    assert aliyun_protocol.percent_encode("潼") == "%E6%BD%BC"


def test_aliyun_client_signature_is_deterministic_for_fixed_nonce_and_time() -> None:
    def build() -> dict[str, str]:
        gateway = AliyunSmsGateway(
            "testId",
            "testSecret",
            clock=lambda: datetime(2017, 7, 12, 2, 42, 19, tzinfo=UTC),
            nonce_factory=lambda: "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        )
        with gateway:
            return gateway.signed_params(
                "SendSms",
                {
                    "PhoneNumbers": "15300000001",
                    "SignName": "阿里云短信测试专用",
                    "TemplateCode": "SMS_71390007",
                    "TemplateParam": '{"customer":"test"}',
                    "OutId": "123",
                },
                "GET",
            )

    first, second = build(), build()
    assert first == second
    # Same parameters as the published example except Format=JSON.
    expected = dict(ALIYUN_SMS_DOC_PARAMS, Format="JSON")
    assert {k: v for k, v in first.items() if k != "Signature"} == expected
    assert first["Signature"] == aliyun_protocol.compute_signature("GET", expected, "testSecret")
    assert first["Signature"] != "zJDF+Lrzhj/ThnlvIToysFRq6t4="  # Format is signed too


# ============================================================================================
# Tencent Cloud TC3-HMAC-SHA256

# The worked example of Tencent Cloud's "Signature v3" page (CVM DescribeInstances).
TENCENT_DOC_PAYLOAD = (
    b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
TENCENT_DOC_HEADERS = {
    "content-type": "application/json; charset=utf-8",
    "host": "cvm.tencentcloudapi.com",
}


def test_tencent_tc3_matches_the_published_example() -> None:
    canonical, signed = tencent_protocol.canonical_request(
        "POST", "", TENCENT_DOC_HEADERS, TENCENT_DOC_PAYLOAD
    )
    assert signed == "content-type;host"
    assert canonical.endswith("\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    assert (
        hashlib.sha256(canonical.encode()).hexdigest()
        == "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    )
    assert tencent_protocol.string_to_sign(1551113065, "cvm", canonical) == (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    )
    signature, _ = tencent_protocol.tc3_signature(
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        timestamp=1551113065,
        signed_headers=TENCENT_DOC_HEADERS,
        payload=TENCENT_DOC_PAYLOAD,
    )
    assert signature == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


def test_tencent_request_headers_are_deterministic_for_fixed_time() -> None:
    def build() -> dict[str, str]:
        gateway = TencentSmsGateway("AKIDexample", "secret", "1400006666", clock=lambda: 1551113065)
        with gateway:
            return gateway.request_headers("SendSms", b'{"a":1}')

    first, second = build(), build()
    assert first == second
    assert first["X-TC-Timestamp"] == "1551113065"
    assert first["X-TC-Version"] == "2021-01-11"
    assert first["Host"] == "sms.tencentcloudapi.com"
    expected_signature, _ = tencent_protocol.tc3_signature(
        "secret",
        service="sms",
        timestamp=1551113065,
        signed_headers={
            "content-type": "application/json; charset=utf-8",
            "host": "sms.tencentcloudapi.com",
            "x-tc-action": "sendsms",
        },
        payload=b'{"a":1}',
    )
    assert first["Authorization"] == (
        "TC3-HMAC-SHA256 Credential=AKIDexample/2019-02-25/sms/tc3_request, "
        f"SignedHeaders=content-type;host;x-tc-action, Signature={expected_signature}"
    )


# ============================================================================================
# Receipt callback authentication


def test_receipt_token_is_per_gateway_and_stable() -> None:
    aliyun_token = receipt_token(RECEIPT_SECRET, "aliyun")
    assert aliyun_token == receipt_token(RECEIPT_SECRET, "aliyun")
    assert aliyun_token != receipt_token(RECEIPT_SECRET, "tencent")
    assert len(aliyun_token) == 64
    assert receipt_callback_url(
        "https://x.example/sms/receipts/aliyun/", RECEIPT_SECRET, "aliyun"
    ) == (f"https://x.example/sms/receipts/aliyun/?token={aliyun_token}")


@pytest.mark.parametrize("gateway_class", [AliyunSmsGateway, TencentSmsGateway])
def test_forged_receipt_requests_are_rejected(gateway_class: type) -> None:
    gateway: SmsGateway = (
        gateway_class("id", "secret")
        if gateway_class is AliyunSmsGateway
        else gateway_class("id", "secret", "1400000000")
    )
    good = receipt_token(RECEIPT_SECRET, gateway.name)
    other = receipt_token(RECEIPT_SECRET, "tencent" if gateway.name == "aliyun" else "aliyun")
    body = b"[]"
    assert gateway.verify_receipt_request({}, body, {"token": good}, RECEIPT_SECRET) is True
    assert gateway.verify_receipt_request({}, body, {"token": [good]}, RECEIPT_SECRET) is True
    assert gateway.verify_receipt_request({}, body, {}, RECEIPT_SECRET) is False
    assert gateway.verify_receipt_request({}, body, {"token": ""}, RECEIPT_SECRET) is False
    tampered = good[:-1] + ("1" if good.endswith("0") else "0")
    assert gateway.verify_receipt_request({}, body, {"token": tampered}, RECEIPT_SECRET) is False
    assert gateway.verify_receipt_request({}, body, {"token": other}, RECEIPT_SECRET) is False
    assert (
        gateway.verify_receipt_request({}, body, {"token": [good, good]}, RECEIPT_SECRET) is False
    )
    assert gateway.verify_receipt_request({}, body, {"token": good}, "") is False
    assert gateway.verify_receipt_request({}, body, {"token": good}, "another-secret") is False


def test_documented_receipt_bodies_parse() -> None:
    aliyun_body = json.dumps(
        [
            {
                "phone_number": "13900000000",
                "send_time": "2017-01-01 00:00:00",
                "report_time": "2017-01-01 00:00:00",
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
                "sms_size": "1",
                "biz_id": "12345",
                "out_id": "67890",
            }
        ]
    ).encode()
    assert aliyun_protocol.parse_receipts(aliyun_body) == [
        Receipt(
            reference="67890",
            provider_id="12345",
            phone="13900000000",
            delivered=True,
            code="DELIVERED",
            at=datetime(2017, 1, 1, tzinfo=CHINA_TZ),
        )
    ]
    tencent_body = json.dumps(
        [
            {
                "user_receive_time": "2015-10-17 08:03:04",
                "nationcode": "86",
                "mobile": "13788888888",
                "report_status": "SUCCESS",
                "errmsg": "DELIVRD",
                "description": "用户短信送达成功",
                "sid": "xxxxxxx",
            }
        ]
    ).encode()
    assert tencent_protocol.parse_receipts(tencent_body) == [
        Receipt(
            reference=None,
            provider_id="xxxxxxx",
            phone="13788888888",
            delivered=True,
            code="DELIVRD",
            at=datetime(2015, 10, 17, 8, 3, 4, tzinfo=CHINA_TZ),
        )
    ]


def test_malformed_receipt_bodies_raise() -> None:
    from bianmin.notifications.clients import ReceiptParseError

    for body in (b"not json", b"{}", b'[{"biz_id": "1"}]'):
        with pytest.raises(ReceiptParseError):
            aliyun_protocol.parse_receipts(body)
        with pytest.raises(ReceiptParseError):
            tencent_protocol.parse_receipts(body)


# ============================================================================================

# ============================================================================================
# Console gateway, preflight, factory


def test_console_gateway_writes_json_lines_and_answers_queries(tmp_path: Path) -> None:
    outbox = tmp_path / "var" / "sms-outbox.jsonl"
    gateway = ConsoleSmsGateway(outbox)
    sms = make_sms()
    result = gateway.send(sms)
    assert result.accepted is True
    assert result.provider_id == "console:msg-1"
    [line] = outbox.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["reference"] == "msg-1"
    assert record["text"] == sms.text
    assert record["params"] == {"name": "张三", "date": "5月20日"}
    assert (record["characters"], record["segments"]) == tuple(count_segments(sms.text))
    assert (
        gateway.query(reference="msg-1", phone=sms.phone, provider_id=None, sent_on=china_today())
        == DeliveryState.DELIVERED
    )
    assert (
        gateway.query(reference="nope", phone=sms.phone, provider_id=None, sent_on=china_today())
        == DeliveryState.UNKNOWN
    )
    assert gateway.parse_receipts(b"[]", {}) == []


def test_console_outbox_keeps_only_the_masked_phone_in_an_owner_only_file(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    sms = make_sms(phone="13812341234")

    assert ConsoleSmsGateway(outbox).send(sms).accepted

    assert json.loads(outbox.read_text(encoding="utf-8"))["phone"] == "138****1234"
    assert "13812341234" not in outbox.read_text(encoding="utf-8")
    assert outbox.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("sms", "code"),
    [
        (make_sms(phone="1380000000"), "invalid_phone"),
        (make_sms(phone="12800000000"), "invalid_phone"),
        (OutgoingSms("r", "13800000000", "T", {}, "公安", "【公安】x"), "invalid_signature"),
        (OutgoingSms("r", "13800000000", "T", {}, SIGNATURE, "x" * 501), "too_long"),
        (OutgoingSms("r" * 600, "13800000000", "T", {}, SIGNATURE, "x"), "invalid_reference"),
    ],
)
def test_preflight_rejects_without_network(tmp_path: Path, sms: OutgoingSms, code: str) -> None:
    gateways: list[SmsGateway] = [
        ConsoleSmsGateway(tmp_path / "outbox.jsonl"),
        AliyunSmsGateway("id", "secret", endpoint="http://127.0.0.1:9/"),
        TencentSmsGateway("id", "secret", "1", endpoint="http://127.0.0.1:9/"),
    ]
    for gateway in gateways:
        result = gateway.send(sms)
        assert (result.accepted, result.error_code, result.retryable) == (False, code, False)
    assert not (tmp_path / "outbox.jsonl").exists()


def test_connection_refused_is_safe_to_resend() -> None:
    with AliyunSmsGateway("id", "secret", endpoint="http://127.0.0.1:9/") as gateway:
        result = gateway.send(make_sms())
    assert (result.accepted, result.error_code, result.retryable) == (
        False,
        "connect_error",
        True,
    )
    assert result.needs_query is False


def test_create_gateway_and_protocol(tmp_path: Path) -> None:
    gateway = create_gateway("console", path=tmp_path / "o.jsonl")
    assert isinstance(gateway, ConsoleSmsGateway)
    assert isinstance(gateway, SmsGateway)
    assert isinstance(AliyunSmsGateway("a", "b"), SmsGateway)
    assert isinstance(TencentSmsGateway("a", "b", "c"), SmsGateway)
    with pytest.raises(ValueError, match="unknown SMS gateway"):
        create_gateway("carrier-pigeon")
