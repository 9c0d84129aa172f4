"""The four Balanced Scorecard perspectives, top to bottom (renameable later)."""

from django.db import migrations

DEFAULTS = [
    (1, "Financial", "How do we look to shareholders and funders?"),
    (2, "Customer", "How do customers see us?"),
    (3, "Internal Process", "What must we excel at?"),
    (4, "Learning & Growth", "How do we keep improving and creating value?"),
]


def create_perspectives(apps, schema_editor):
    Perspective = apps.get_model("scorecards", "Perspective")
    for order, name, description in DEFAULTS:
        if not Perspective.objects.filter(name=name).exists():
            Perspective.objects.create(name=name, order=order, description=description)


def remove_perspectives(apps, schema_editor):
    Perspective = apps.get_model("scorecards", "Perspective")
    Perspective.objects.filter(name__in=[d[1] for d in DEFAULTS], objectives__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0001_initial")]

    operations = [migrations.RunPython(create_perspectives, remove_perspectives)]
