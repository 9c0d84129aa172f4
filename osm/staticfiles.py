"""The static files' storage of the development server (`make run`), as light as production's.

Production serves what `collectstatic` wrote with WhiteNoise's
`CompressedManifestStaticFilesStorage`: names with a hash of the content, gzip and Brotli
copies beside them, and a Cache-Control of a year (WhiteNoise's "immutable" files), so a
browser fetches the Plotly bundle once and compressed. Django's manifest storage names the
plain files whenever DEBUG is on, which leaves the development server sending every file
uncompressed and uncached. This storage names the hashed file in DEBUG too, as long as it was
collected and its source has not changed since; otherwise the plain name, which WhiteNoise's
finders (on in DEBUG) serve fresh from `static/`, so an edited file shows on the next reload
without running `collectstatic` again.
"""

from pathlib import Path

from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedManifestStaticFilesStorage


class DevelopmentStaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed (and so cached, compressed) names in DEBUG for files collected and unchanged."""

    # A file added after collectstatic has no manifest entry: its plain name, not an error.
    manifest_strict = False

    def url(self, name, force=False):
        if force or self._collected_and_fresh(name):
            return super().url(name, force=True)
        return super().url(name)

    def _collected_and_fresh(self, name) -> bool:
        """Whether `name` is in the manifest and its collected copy is at least as new as
        its source (collectstatic skips a file whose copy is newer, and copies it again
        otherwise)."""
        clean = self.clean_name(name or "")
        if clean not in self.hashed_files:
            return False
        source = finders.find(clean)
        copy = Path(self.path(clean))
        try:
            return source is not None and Path(source).stat().st_mtime <= copy.stat().st_mtime
        except OSError:
            return False
