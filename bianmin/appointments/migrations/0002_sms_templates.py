"""Seed the appointments' SMS templates (approved version 1) in the notifications table.

The wording lives in `bianmin.appointments.wording`; it is copied here because a migration
must not change when the code does. An existing code (the notifications context's own
`appointment_reminder`, or the province's edited version) is left alone.
"""

import re

from django.db import migrations
from django.utils import timezone

TEMPLATES = (
    (
        "appointment_confirmed",
        "预约成功通知",
        "您已预约${date} ${time}办理${item}，预约码${code}，请提前到大厅签到。",
        "预约成功后发送预约码（每个预约一次）。",
    ),
    (
        "appointment_reminder",
        "预约提醒",
        "您已预约${date} ${time}办理${item}，请携带身份证件及材料按时到便民服务中心。",
        "预约前一日18:00提醒。",
    ),
    (
        "appointment_soon",
        "预约即将开始提醒",
        "您预约的${item}将于${time}开始，请于前15分钟内到大厅凭预约码${code}签到。",
        "预约开始前一小时提醒（免打扰时段不发）。",
    ),
    (
        "appointment_closure",
        "预约取消通知",
        "因临时停办，您${date}的预约（预约码${code}）已取消；最近可约${time}时段，可凭预约码改约。",
        "中心停办时通知每个受影响的预约（每个预约一次）。",
    ),
    (
        "home_visit_approved",
        "上门服务受理通知",
        "您申请的上门办证（编号${case_number}）已通过审核，排定上门时间后将短信告知。",
        "值班长审核通过上门服务申请后通知联系人。",
    ),
    (
        "home_visit_refused",
        "上门服务审核结果",
        "您申请的上门办证（编号${case_number}）未通过审核，详情请致电${center}。",
        "值班长不予上门时通知联系人。",
    ),
    (
        "home_visit_scheduled",
        "上门时间通知",
        "流动服务队将于${date} ${time}前后上门办理${item}，请家中留人并备好户口簿。",
        "排定路线后通知联系人上门日期和时间段。",
    ),
    (
        "home_visit_code",
        "上门服务申请验证码",
        "您的上门服务申请验证码为${code}，5分钟内有效，请勿告诉他人。",
        "公开页面申请上门服务时验证联系人手机。",
    ),
)


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for code, name, body, purpose in TEMPLATES:
        if SmsTemplate.objects.filter(code=code).exists():
            continue
        SmsTemplate.objects.create(
            code=code,
            version=1,
            name=name,
            purpose=purpose,
            body=body,
            variables=list(dict.fromkeys(re.findall(r"\$\{(\w+)\}", body))),
            max_segments=2,
            status="approved",
            approved_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
