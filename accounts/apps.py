from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in (single sign-on, the second factor), user management and the security audit
    log. Nothing imports this app but the wiring: the apps below name security events
    through `core.audit`, whose recorder is registered here."""

    name = "accounts"

    def ready(self):
        from core.audit import register_audit_recorder

        from . import mfa, receivers
        from .services.audit import audit_record

        register_audit_recorder(audit_record)
        receivers.connect()
        mfa.connect()  # the second factor's checker for the admin and the API token login
