"""The admin site: the OSM staff's tool. Other roles work in the web app and the API,
whose views check each write against its target; the admin's generic forms do not, so a
user with another role is kept out even if someone ticks `is_staff` for them. A session
that must pass the second factor (required for the OSM staff by default, or set up by the
person) is kept out until it has (core/second_factor.py)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy


class OSMAdminSite(admin.AdminSite):
    site_header = gettext_lazy("OSM administration")
    site_title = gettext_lazy("OSM admin")

    def has_permission(self, request):
        # Imported here: this module is loaded with INSTALLED_APPS, before the app registry.
        from .roles import OSM_STAFF, has_role
        from .second_factor import session_passed

        return (
            super().has_permission(request)
            and has_role(request.user, OSM_STAFF)
            and session_passed(request)
        )


class OSMAdminConfig(AdminConfig):
    default_site = "core.admin_site.OSMAdminSite"
