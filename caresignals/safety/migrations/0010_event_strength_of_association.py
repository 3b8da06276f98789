"""Strength of association gets its own field.

The staff form used to append "Strength of association: <answer>" to the description. The
data step moves that answer into the new field and takes the line off the description, only
where the description ends with exactly that line and the answer is one of the form's
wordings; anything else is left as it was. Reversing puts the line back.
"""

from django.db import migrations, models

MARK = "\n\nStrength of association: "
# The form's wordings when the answer was appended (frozen here: a migration must not change
# when the vocabulary does).
CODES = {
    "The incident caused the harm": "caused",
    "The incident probably contributed to the harm": "probably",
    "The incident possibly contributed to the harm": "possibly",
    "The harm was not related to the incident": "not_related",
    "Don't know": "unknown",
}
LABELS = {code: label for label, code in CODES.items()}


def split_description(description: str) -> tuple[str, str] | None:
    """(description without the appended line, code), or None when there is none to move."""
    head, mark, tail = description.rpartition(MARK)
    if not mark or tail not in CODES:
        return None
    return head, CODES[tail]


def move_into_field(apps, schema_editor):
    Event = apps.get_model("safety", "PatientSafetyEvent")
    changed = []
    events = Event.objects.filter(description__contains=MARK.strip()).only(
        "pk", "description", "strength_of_association"
    )
    for event in events.iterator(chunk_size=2000):
        parts = split_description(event.description)
        if parts is None or event.strength_of_association:
            continue
        event.description, event.strength_of_association = parts
        changed.append(event)
    Event.objects.bulk_update(changed, ["description", "strength_of_association"], batch_size=500)


def move_back(apps, schema_editor):
    Event = apps.get_model("safety", "PatientSafetyEvent")
    changed = []
    events = Event.objects.exclude(strength_of_association="").only(
        "pk", "description", "strength_of_association"
    )
    for event in events.iterator(chunk_size=2000):
        event.description += MARK + LABELS[event.strength_of_association]
        changed.append(event)
    Event.objects.bulk_update(changed, ["description"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0009_category_not_known"),
    ]

    operations = [
        migrations.AddField(
            model_name="patientsafetyevent",
            name="strength_of_association",
            field=models.CharField(
                blank=True,
                choices=[
                    ("caused", "The incident caused the harm"),
                    ("probably", "The incident probably contributed to the harm"),
                    ("possibly", "The incident possibly contributed to the harm"),
                    ("not_related", "The harm was not related to the incident"),
                    ("unknown", "Don't know"),
                ],
                default="",
                max_length=12,
            ),
        ),
        migrations.RunPython(move_into_field, move_back, elidable=True),
    ]
