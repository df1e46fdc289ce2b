"""Seed the lost-and-found SMS templates (approved version 1) in the notifications table.

The wording lives in `bianmin.lost_found.wording`; it is copied here because a migration must
not change when the code does. An existing code (the director's own version) is left alone.
"""

from django.db import migrations
from django.utils import timezone

TEMPLATES = (
    (
        "found_document",
        "拾获证件通知",
        "您的${item}已交到${center}（登记号${case_number}），凭身份证明工作日领取。",
        "拾获证件后按证件号码找到失主时通知其领取（每件只发一次）。",
    ),
    (
        "lost_match_confirmed",
        "寻物匹配通知",
        "您寻找的物品（登记号${case_number}）可能已被拾获，请工作日到${center}核实认领并说明特征。",
        "民警确认寻物登记与拾得物匹配后通知登记人。",
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
            variables=["item", "center", "case_number"] if "${item}" in body else ["case_number", "center"],
            max_segments=2,
            status="approved",
            approved_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("lost_found", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
