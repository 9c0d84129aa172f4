"""Pages of practice (being written)."""

urlpatterns = []
