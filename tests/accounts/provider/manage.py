#!/usr/bin/env python
"""The test suite's OpenID Connect provider (django-oauth-toolkit): see provider_site/."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "provider_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
