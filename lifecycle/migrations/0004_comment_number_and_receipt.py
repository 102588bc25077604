from django.db import migrations, models


def number_existing_comments(apps, schema_editor):
    """Give the comments already sent their number within their draft, in the order they came."""
    PublicComment = apps.get_model("lifecycle", "PublicComment")
    counters: dict[int, int] = {}
    for comment in PublicComment.objects.order_by("project_id", "submitted_at", "id").only("id", "project_id"):
        counters[comment.project_id] = counters.get(comment.project_id, 0) + 1
        PublicComment.objects.filter(pk=comment.pk).update(number=counters[comment.project_id])


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0003_projectdocument_outline"),
    ]

    operations = [
        migrations.AddField(
            model_name="publiccomment",
            name="number",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="意见序号"),
        ),
        migrations.AddField(
            model_name="publiccomment",
            name="receipt_digest",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(number_existing_comments, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publiccomment",
            constraint=models.UniqueConstraint(fields=("project", "number"), name="comment_number_per_draft"),
        ),
    ]
