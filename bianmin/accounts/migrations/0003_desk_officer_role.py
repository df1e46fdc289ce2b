# The role of the 惠民暖警 desk (family_desk). Renumber at merge if accounts has a 0003 already.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='staff',
            name='role',
            field=models.CharField(choices=[('guide', '导办员'), ('officer', '窗口民警'), ('back_office', '审核审批民警'), ('shift_leader', '值班长'), ('director', '中心主任'), ('inspector', '督察'), ('sanitation', '环卫人员'), ('administrator', '系统管理员'), ('desk_officer', '惠民暖警服务台')], max_length=20, verbose_name='角色'),
        ),
    ]
