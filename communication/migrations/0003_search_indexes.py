"""The GIN indexes of the search (core/search.py) over practices and announcements: their
title (weight A) and text (weight B), as communication/apps.py registers them. On
PostgreSQL only; SQLite searches without them."""

from django.db import migrations

from core.search import AddSearchIndex


class Migration(migrations.Migration):
    dependencies = [("communication", "0002_announcements_pulses_practices")]

    operations = [
        AddSearchIndex("practice", "practice_search_idx", ["title"], ["body"]),
        AddSearchIndex("announcement", "announcement_search_idx", ["title"], ["body"]),
    ]
