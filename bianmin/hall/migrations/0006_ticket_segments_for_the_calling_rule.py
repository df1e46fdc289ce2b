"""The calling rule read in segments (`hall.selectors.pool`): an index per segment, the weights
capped below the overdue rank, checked on the ticket table. SQLite rebuilds `hall_ticket` to add
the check, which drops the waiting tally's triggers: they are installed again after it (and
after the rebuild that removes it, on the way back)."""

import django.core.validators
from django.conf import settings
from django.db import migrations, models

from bianmin.hall import tally_triggers


def triggers(apps, schema_editor) -> None:
    tally_triggers.install(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_desk_officer_role'),
        ('catalogue', '0001_initial'),
        ('hall', '0005_waiting_tally'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, triggers),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_pool_idx',
        ),
        migrations.AlterField(
            model_name='hallsettings',
            name='weight_appointment',
            field=models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='预约优先级'),
        ),
        migrations.AlterField(
            model_name='hallsettings',
            name='weight_disabled',
            field=models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='残疾人优先级'),
        ),
        migrations.AlterField(
            model_name='hallsettings',
            name='weight_elderly',
            field=models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='老年人优先级'),
        ),
        migrations.AlterField(
            model_name='hallsettings',
            name='weight_military',
            field=models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MaxValueValidator(1000)], verbose_name='军人优先级'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['center', 'status', 'service_day', '-priority_weight', 'queue_at', 'seq'], name='ticket_weight_idx'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['center', 'status', 'service_day', 'queue_at', 'seq'], name='ticket_queue_idx'),
        ),
        migrations.AddConstraint(
            model_name='ticket',
            constraint=models.CheckConstraint(condition=models.Q(('priority_weight__lt', 10000)), name='ticket_weight_below_overdue'),
        ),
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
