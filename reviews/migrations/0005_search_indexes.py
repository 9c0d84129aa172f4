"""The GIN indexes of the search (core/search.py): meetings by their title (weight A) and
decisions (weight B), action items by their title, as reviews/apps.py registers them. On
PostgreSQL only; SQLite searches without them."""

from django.db import migrations

from core.search import AddSearchIndex


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_meeting_approved_version")]

    operations = [
        AddSearchIndex("reviewmeeting", "decision_search_idx", ["title"], ["decisions"]),
        AddSearchIndex("actionitem", "action_item_search_idx", ["title"]),
    ]
