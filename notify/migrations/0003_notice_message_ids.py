from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_daily_runs'),
    ]

    operations = [
        migrations.AddField(
            model_name='notice',
            name='message',
            field=models.JSONField(blank=True, default=dict, verbose_name='消息编号与参数'),
        ),
    ]
