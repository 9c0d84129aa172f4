"""`manage.py makemessages -l fr -l de`: Django's, with each string catalogued in the
catalogue of the app it belongs to (docs/development.md, "Languages").

Every app keeps its own catalogues in `<app>/locale/<language>/LC_MESSAGES/django.po`, so
people translating different apps never edit the same file. Django already files an app's
Python code there; this command files the project's templates there too: `templates/<app>/`
goes with `<app>`, and the templates of no app (the base layout, the kit's, the error and
sign-in pages, the e-mails) and anything else outside the apps go with `core`. It also
leaves out what is not the product's (tests, documentation, static files), drops strings
no longer in the code, and writes each string's files without line numbers, so that a
catalogue changes only when its strings do.
"""

import contextlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.commands import makemessages

# Folders never scanned (besides Django's own defaults: hidden folders, CVS, backups).
SKIPPED = ["tests", "docs", "static", "staticfiles", "var", "mutants", "node_modules", "migrations"]
FALLBACK_APP = "core"


def project_apps() -> set[str]:
    """The names of the apps that are folders at the top of the project."""
    return {
        config.name
        for config in apps.get_app_configs()
        if "." not in config.name and Path(config.path).parent == Path(settings.BASE_DIR)
    }


def catalogue_app(relative_dir: str, app_names: set[str]) -> str:
    """The app whose catalogue holds the strings of the files in `relative_dir` (relative
    to the project's top folder)."""
    parts = Path(os.path.normpath(relative_dir)).parts
    if parts and parts[0] == "templates":
        parts = parts[1:]
    if parts and parts[0] in app_names:
        return parts[0]
    return FALLBACK_APP


class Command(makemessages.Command):
    help = (
        "Update the translation catalogues (<app>/locale/<language>/LC_MESSAGES/django.po) "
        "from the strings marked in the code and templates, each in its app's catalogue."
    )

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *SKIPPED]
        options["no_obsolete"] = True
        if options.get("add_location") is None:
            options["add_location"] = "file"
        return super().handle(*args, **options)

    def find_files(self, root):
        files = super().find_files(root)
        names = project_apps()
        for translatable in files:
            relative = os.path.relpath(translatable.dirpath, root)
            app = catalogue_app(relative, names)
            translatable.locale_dir = os.path.abspath(os.path.join(root, app, "locale"))
            # Django collects the catalogue templates (.pot) of the locale folders it knows.
            if translatable.locale_dir not in self.locale_paths:
                self.locale_paths.append(translatable.locale_dir)
        return files

    def process_locale_dir(self, locale_dir, files):
        # An app's first marked string makes its locale folder; an app with none gets none.
        os.makedirs(locale_dir, exist_ok=True)
        super().process_locale_dir(locale_dir, files)
        with contextlib.suppress(OSError):
            os.rmdir(locale_dir)  # only if empty
