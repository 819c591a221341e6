"""The categories of barriers and drivers that make the cases comparable (staff can edit)."""

from django.db import migrations

from casestudies.taxonomy import DEFAULT_CATEGORIES


def add_categories(apps, schema_editor):
    Category = apps.get_model("casestudies", "Category")
    for order, (slug, name_de, name_en) in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_de": name_de, "name_en": name_en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("casestudies", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
