"""Pages of announcement (being written)."""

urlpatterns = []
