from django.db import migrations, models


def mark_event_derived(apps, schema_editor):
    """Values already counted from events were derived, not imported."""
    MeasureValue = apps.get_model("measures", "MeasureValue")
    MeasureValue.objects.filter(indicator__source="derived from events").update(origin="derived")


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0002_chartannotation"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurevalue",
            name="origin",
            field=models.CharField(
                choices=[("imported", "Measures import"), ("derived", "Counted from records held")],
                default="imported",
                max_length=8,
            ),
        ),
        migrations.RunPython(mark_event_derived, migrations.RunPython.noop),
    ]
