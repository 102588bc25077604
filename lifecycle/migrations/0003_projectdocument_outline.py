from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0002_captcha_uses_and_contact_erasure"),
    ]

    operations = [
        migrations.AddField(
            model_name="projectdocument",
            name="outline",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
