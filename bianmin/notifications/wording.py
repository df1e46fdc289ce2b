"""All SMS wording of the platform, in one place (governed content, see house style 3.3).

Each template body uses ``${name}`` placeholders (Alibaba's syntax; the Tencent adapter sends
the values positionally in order of first appearance). ``notifications_load_reference()``
seeds these bodies as version 1 of versioned, approvable database templates; the director
edits them on the 短信模板 screen, which creates new versions. Rules from domain-rules §9:
no 【】 in a body (the signature is added from ``Center.sms_signature``), no full ID numbers
or names in any SMS, and each template must fit its segment budget with every variable at its
maximum length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    label: str  # Chinese, for the editor
    max_length: int  # worst case used by the length check
    sample: str  # preview value


#: Every variable a template may use. Values longer than ``max_length`` are still sent (the
#: send-time count is exact); the limit is the budget the editor checks templates against.
VARIABLES: dict[str, Variable] = {
    "item": Variable("事项名称", 10, "居民身份证"),
    "case_number": Variable("办件编号", 16, "TG-20260312-0001"),
    "count": Variable("缺少材料项数", 2, "2"),
    "number": Variable("排队号码", 5, "A023"),
    "ahead": Variable("前面等候人数", 3, "3"),
    "center": Variable("中心名称", 12, "潼关县公安便民服务中心"),
    "date": Variable("日期", 6, "3月12日"),
    "time": Variable("时间", 5, "09:30"),
    "plate": Variable("号牌号码", 8, "陕E·A1234"),
    "code": Variable("验证码", 6, "246810"),
    "link": Variable("链接", 48, "http://127.0.0.1:8000/r/Ab3dEf9hKq2xYz7w/"),
}


@dataclass(frozen=True)
class TemplateWording:
    code: str
    name: str
    body: str
    purpose: str
    max_segments: int = 1
    # Parameters that must not stay readable at rest (a one-time sign-in code): the message row
    # keeps them SM4-encrypted until the provider has accepted the SMS, and masked in its text.
    secret: tuple[str, ...] = ()


TEMPLATES: tuple[TemplateWording, ...] = (
    TemplateWording(
        "pickup_ready",
        "领证通知",
        "您申请的${item}（办件号${case_number}）已制作完成，请于工作日携带回执到便民服务中心领取。",
        "证件、号牌到达后通知申请人领取（批量到证通知使用）。",
    ),
    TemplateWording(
        "pickup_reminder",
        "领证提醒",
        "您的${item}（办件号${case_number}）已到达多日未领取，请于工作日携带回执到便民服务中心领取。",
        "到证通知发出若干工作日后仍未领取时的第二次提醒。",
    ),
    TemplateWording(
        "missing_notice",
        "补正材料通知",
        "您申请的${item}（办件号${case_number}）尚缺${count}项材料，请按一次性告知单补齐后到窗口办理。",
        "办件材料不齐时，与一次性告知单同时发送。",
    ),
    TemplateWording(
        "ticket_near",
        "即将叫号提醒",
        "您的排队号${number}前面还有${ahead}人，请尽快回到${center}大厅等候叫号。",
        "排队即将轮到时提醒离开大厅的群众返回。",
    ),
    TemplateWording(
        "appointment_reminder",
        "预约提醒",
        "您已预约${date} ${time}办理${item}，请携带身份证件及材料按时到便民服务中心。",
        "预约办理前一日提醒（预约功能上线后使用）。",
    ),
    TemplateWording(
        "plate_ready",
        "号牌领取通知",
        "您办理的车辆号牌${plate}已制作完成，请于工作日到便民服务中心交管窗口领取。",
        "号牌到货后通知车主领取。",
    ),
    TemplateWording(
        "desk_reply",
        "惠民暖警答复通知",
        "您向惠民暖警服务台提出的诉求（编号${case_number}）有新的答复，请登录手机页面查看。",
        "惠民暖警服务台每次给申请人可见的答复时发送。",
    ),
    TemplateWording(
        "desk_sign_in_code",
        "惠民暖警登录验证码",
        "您的惠民暖警服务台登录验证码为${code}，5分钟内有效，请勿告诉他人。",
        "警属在手机页面登录时发送的一次性验证码。",
        secret=("code",),
    ),
)

#: Longest signature the rules allow (8 characters) plus 【】: the default worst case when no
#: center is configured yet.
WORST_CASE_SIGNATURE = "潼关县公安局便民"

TEMPLATE_BY_CODE = {t.code: t for t in TEMPLATES}


#: What a citizen collects, in the fewest characters, by keyword of the catalogue item name.
ITEM_LABELS: tuple[tuple[str, str], ...] = (
    ("临时居民身份证", "临时身份证"),
    ("居民身份证", "居民身份证"),
    ("户口簿", "户口簿"),
    ("居住证", "居住证"),
    ("驾驶证", "驾驶证"),
    ("行驶证", "行驶证"),
    ("号牌", "机动车号牌"),
    ("检验合格标志", "检验合格标志"),
    ("出入境通行证", "通行证"),
    ("护照", "护照"),
    ("签注", "签注"),
)


def item_label(item_name: str) -> str:
    """The short name of what the citizen collects, for the ``${item}`` variable."""
    for keyword, label in ITEM_LABELS:
        if keyword in item_name:
            return label
    head = item_name.split("/")[0].split("（")[0].strip()
    return head[: VARIABLES["item"].max_length]


#: What staff read for each gateway name (the names are configuration, not screen text).
GATEWAY_LABELS: dict[str, str] = {
    "console": "本机发件箱（演示，未接短信平台）",
    "aliyun": "阿里云短信",
    "tencent": "腾讯云短信",
}


def gateway_label(name: str) -> str:
    return GATEWAY_LABELS.get(name, name) if name else ""


#: What a message row shows in place of a secret parameter.
SECRET_MASK = "******"  # noqa: S105 (a mask, not a password)


def secret_params(template_code: str) -> frozenset[str]:
    """The parameters of this template that are kept encrypted and masked at rest."""
    wording = TEMPLATE_BY_CODE.get(template_code)
    return frozenset(wording.secret) if wording is not None else frozenset()
