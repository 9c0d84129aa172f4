"""The GIN indexes of the search (core/search.py) over objectives and measures: their code
and name (weight A) and description (weight B), as scorecards/apps.py registers them. On
PostgreSQL only; SQLite searches without them."""

from django.db import migrations

from core.search import AddSearchIndex


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0008_strategy_versions")]

    operations = [
        AddSearchIndex("objective", "objective_search_idx", ["code", "name"], ["description"]),
        AddSearchIndex("measure", "measure_search_idx", ["code", "name"], ["description"]),
    ]
