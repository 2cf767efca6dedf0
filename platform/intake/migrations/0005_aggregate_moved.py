from django.db import migrations


class Migration(migrations.Migration):
    """Application and Person now live in the applications app; their tables stay where they are."""

    dependencies = [
        ("intake", "0004_personal_data_encrypted"),
        ("applications", "0001_aggregate"),
        ("review", "0002_application_in_aggregate"),
        ("dashboard", "0002_application_in_aggregate"),
        ("workflow", "0002_aggregate_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Person"), migrations.DeleteModel(name="Application")],
            database_operations=[],
        ),
    ]
