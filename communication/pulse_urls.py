"""Pages of pulse (being written)."""

urlpatterns = []
