"""TOTP secrets move to django-otp devices; API tokens get a role, center and expiry; the
hand-written login counter goes (django-axes keeps it); per-weekday and per-date hours."""

from base64 import b32decode
from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models

TOKEN_DAYS = 90


def forwards(apps, schema_editor):
    Staff = apps.get_model("accounts", "Staff")
    ApiToken = apps.get_model("accounts", "ApiToken")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for staff in Staff.objects.exclude(totp_secret=None).exclude(totp_confirmed_at=None):
        secret = (staff.totp_secret or "").strip().upper()
        if not secret:
            continue
        padded = secret + "=" * (-len(secret) % 8)
        TOTPDevice.objects.create(
            user_id=staff.pk, name="认证器", confirmed=True, key=b32decode(padded).hex()
        )
    for token in ApiToken.objects.select_related("staff"):
        token.role = token.staff.role
        token.center_id = token.staff.center_id
        token.expires_at = token.created_at + timedelta(days=TOKEN_DAYS)
        token.save(update_fields=["role", "center", "expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="staff",
            name="province_wide",
            field=models.BooleanField(default=False, verbose_name="全省范围"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="role",
            field=models.CharField(
                choices=[
                    ("guide", "导办员"),
                    ("officer", "窗口民警"),
                    ("back_office", "审核审批民警"),
                    ("shift_leader", "值班长"),
                    ("director", "中心主任"),
                    ("inspector", "督察"),
                    ("sanitation", "环卫人员"),
                    ("administrator", "系统管理员"),
                ],
                default="",
                max_length=20,
                verbose_name="签发时角色",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="center",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.center",
                verbose_name="签发时中心",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="有效期至"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="有效期至"),
        ),
        migrations.RemoveField(model_name="staff", name="totp_secret"),
        migrations.RemoveField(model_name="staff", name="totp_confirmed_at"),
        migrations.RemoveField(model_name="staff", name="failed_logins"),
        migrations.CreateModel(
            name="CenterWeekday",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("is_open", models.BooleanField(default=True, verbose_name="对外服务")),
                ("opens_at", models.TimeField(blank=True, null=True, verbose_name="上班时间")),
                ("closes_at", models.TimeField(blank=True, null=True, verbose_name="下班时间")),
                ("lunch_from", models.TimeField(blank=True, null=True, verbose_name="午休开始")),
                ("lunch_to", models.TimeField(blank=True, null=True, verbose_name="午休结束")),
                ("weekday", models.PositiveSmallIntegerField(verbose_name="星期")),
                ("center", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="weekdays", to="accounts.center", verbose_name="中心")),
            ],
            options={
                "verbose_name": "每周服务时间",
                "verbose_name_plural": "每周服务时间",
                "ordering": ["center", "weekday"],
                "constraints": [models.UniqueConstraint(fields=("center", "weekday"), name="center_weekday_unique")],
            },
        ),
        migrations.CreateModel(
            name="CenterDayHours",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("is_open", models.BooleanField(default=True, verbose_name="对外服务")),
                ("opens_at", models.TimeField(blank=True, null=True, verbose_name="上班时间")),
                ("closes_at", models.TimeField(blank=True, null=True, verbose_name="下班时间")),
                ("lunch_from", models.TimeField(blank=True, null=True, verbose_name="午休开始")),
                ("lunch_to", models.TimeField(blank=True, null=True, verbose_name="午休结束")),
                ("day", models.DateField(verbose_name="日期")),
                ("note", models.CharField(blank=True, max_length=100, verbose_name="说明")),
                ("center", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="day_hours", to="accounts.center", verbose_name="中心")),
            ],
            options={
                "verbose_name": "特定日期服务时间",
                "verbose_name_plural": "特定日期服务时间",
                "ordering": ["center", "day"],
                "constraints": [models.UniqueConstraint(fields=("center", "day"), name="center_day_hours_unique")],
            },
        ),
    ]
