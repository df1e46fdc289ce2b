"""Seed the ratings and complaints SMS templates (approved version 1) in the notifications
table. The wording lives in `bianmin.ratings.wording`; it is copied here because a migration
must not change when the code does. An existing code (the director's own version) is left alone.
"""

from django.db import migrations
from django.utils import timezone

TEMPLATES = (
    (
        "rating_invite",
        "好差评邀请",
        "请评价本次服务：${link}",
        "办结、受理、领证后邀请群众评价，每项服务只发一次，链接只能使用一次。",
        ["link"],
    ),
    (
        "complaint_received",
        "诉求受理通知",
        "您反映的诉求已受理，编号${case_number}，我们将在规定时限内答复。",
        "群众通过任何渠道提出诉求或建议后发送受理编号。",
        ["case_number"],
    ),
    (
        "complaint_answered",
        "诉求答复通知",
        "您反映的诉求（编号${case_number}）已办理答复，工作人员将与您电话联系。",
        "诉求答复后通知群众。",
        ["case_number"],
    ),
)


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for code, name, body, purpose, variables in TEMPLATES:
        if SmsTemplate.objects.filter(code=code).exists():
            continue
        SmsTemplate.objects.create(
            code=code,
            version=1,
            name=name,
            purpose=purpose,
            body=body,
            variables=variables,
            max_segments=2,
            status="approved",
            approved_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
