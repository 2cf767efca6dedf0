import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The application model moved to the applications app; the table and its foreign key stay."""

    dependencies = [
        ("dashboard", "0001_initial"),
        ("applications", "0001_aggregate"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="servicerating",
                    name="application",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="service_rating",
                        to="applications.application",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
