"""The waiting tally (`WaitingTally`) and the triggers that keep it (`hall.tally_triggers`)."""

import django.db.models.deletion
from django.db import migrations, models

from bianmin.hall import tally_triggers


def forward(apps, schema_editor) -> None:
    tally_triggers.install(schema_editor)
    tally_triggers.backfill(schema_editor)


def backward(apps, schema_editor) -> None:
    tally_triggers.remove(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_desk_officer_role'),
        ('catalogue', '0001_initial'),
        ('hall', '0004_guide_call'),
    ]

    operations = [
        migrations.CreateModel(
            name='WaitingTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('service_day', models.DateField()),
                ('priority_weight', models.PositiveSmallIntegerField()),
                ('targeted', models.BooleanField()),
                ('n', models.IntegerField(default=0)),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.center')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.serviceitem')),
            ],
            options={
                'verbose_name': '候号人数',
                'verbose_name_plural': '候号人数',
                'constraints': [models.UniqueConstraint(fields=('center', 'service_day', 'item', 'priority_weight', 'targeted'), name='waiting_tally_unique')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
