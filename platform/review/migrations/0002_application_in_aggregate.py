import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The application model moved to the applications app; the table and its foreign key stay."""

    dependencies = [
        ("review", "0001_initial"),
        ("applications", "0001_aggregate"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reviewcase",
                    name="application",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_case",
                        to="applications.application",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
