"""The GIN index of the search (core/search.py) over initiatives: their code and name
(weight A) and description (weight B), as initiatives/apps.py registers them. On PostgreSQL
only; SQLite searches without it."""

from django.db import migrations

from core.search import AddSearchIndex


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0002_names_in_the_users_language")]

    operations = [
        AddSearchIndex("initiative", "initiative_search_idx", ["code", "name"], ["description"]),
    ]
