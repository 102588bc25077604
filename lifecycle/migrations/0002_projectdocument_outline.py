from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="projectdocument",
            name="outline",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
