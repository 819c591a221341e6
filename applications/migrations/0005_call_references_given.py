import re

from django.db import migrations, models


def count_references_given(apps, schema_editor):
    """Start each call's counter at the highest number it has given: in the entries and in
    their history, so that the reference of an entry deleted before is not given again."""
    Call = apps.get_model("applications", "Call")
    entries = apps.get_model("applications", "ExpressionOfInterest")
    history = apps.get_model("applications", "HistoricalExpressionOfInterest")
    for call in Call.objects.all():
        references = {
            *entries.objects.filter(call_id=call.pk).values_list("reference", flat=True),
            *history.objects.filter(call_id=call.pk).values_list("reference", flat=True)}
        numbers = [int(match.group(1)) for reference in references
                   if reference and (match := re.search(r"(\d+)$", reference))]
        call.references_given = max(numbers, default=0)
        call.save(update_fields=["references_given"])


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0004_eoi_newest_first_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="references_given",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_references_given, migrations.RunPython.noop),
    ]
