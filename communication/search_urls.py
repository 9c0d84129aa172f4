"""Pages of search (being written)."""

urlpatterns = []
