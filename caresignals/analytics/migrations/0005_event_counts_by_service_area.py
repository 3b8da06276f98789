"""The monthly event counts gain the events' service area; the counts already stored are
recounted from the events, since each row may now be several (in practice one per service)."""

import datetime as dt

from django.db import migrations, models
from django.db.models import Count

from caresignals.core.dbfunctions import MonthStart


def recount(apps, schema_editor):
    counts = apps.get_model("analytics", "MonthlyEventCount")
    events = apps.get_model("safety", "PatientSafetyEvent")
    if not counts.objects.exists():
        return  # a new database: the first import counts its events
    grouped = (
        events.objects.annotate(month=MonthStart("occurred_on"))
        .values(
            "organisation_id", "service_id", "month", "record_type", "max_harm", "service_area"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        counts(
            organisation_id=r["organisation_id"],
            service_id=r["service_id"],
            month=r["month"]
            if isinstance(r["month"], dt.date)
            else dt.date.fromisoformat(str(r["month"])[:10]),
            record_type=r["record_type"],
            max_harm=r["max_harm"],
            service_area=r["service_area"],
            count=r["n"],
        )
        for r in grouped.iterator(chunk_size=5000)
    ]
    counts.objects.all().delete()
    counts.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_month_versions"),
        ("safety", "0011_event_of_note_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyeventcount",
            name="service_area",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
