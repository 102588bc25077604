"""A comparison runs as a background task: its status, progress, current step and reason of failure.

Comparisons stored before were made in the request and are complete: they are marked done."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("compare", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="comparison",
            name="status",
            field=models.CharField(choices=[("queued", "排队中"), ("running", "比对中"), ("done", "已完成"),
                                            ("failed", "比对失败")], default="done", max_length=10),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="comparison",
            name="status",
            field=models.CharField(choices=[("queued", "排队中"), ("running", "比对中"), ("done", "已完成"),
                                            ("failed", "比对失败")], default="queued", max_length=10),
        ),
        migrations.AddField(model_name="comparison", name="progress",
                            field=models.PositiveSmallIntegerField(default=0)),
        migrations.AddField(model_name="comparison", name="step", field=models.CharField(blank=True, max_length=80)),
        migrations.AddField(model_name="comparison", name="failure", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="comparison", name="report",
                              field=models.JSONField(blank=True, default=dict)),
    ]
