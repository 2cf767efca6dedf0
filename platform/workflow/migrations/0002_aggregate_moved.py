from django.db import migrations


class Migration(migrations.Migration):
    """Check and WorkItem now live in the applications app; their tables stay where they are."""

    dependencies = [
        ("workflow", "0001_initial"),
        ("applications", "0001_aggregate"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Check"), migrations.DeleteModel(name="WorkItem")],
            database_operations=[],
        ),
    ]
