"""The password reset mail (accounts/services/password_reset.py queues it).

The worker makes the one-time link itself, from the account's id: the link is never stored
(not in the job queue, not in the outgoing-mail ledger, which OSM staff can read) and never
passes through the broker. The link is built on SITE_URL, not on the Host header of the
request that asked for it.

Registered with Celery by `accounts/tasks.py` importing this module.
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .services.password_reset import reset_accounts


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),  # the mail server (smtplib's errors are OSErrors)
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def password_reset_mail(user_id: int, language: str = "") -> bool:
    """Send the account `user_id` a link to choose a new password, in `language`; False when
    the account may no longer reset its password (deactivated, changed to single sign-on)."""
    model = get_user_model()
    user = model._default_manager.filter(pk=user_id).first()
    email = getattr(user, model.get_email_field_name(), "") if user else ""
    if user is None or not email or user not in reset_accounts(email):
        return False
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": settings.SITE_URL + path,
        "hours": max(settings.PASSWORD_RESET_TIMEOUT // 3600, 1),
        "site_url": settings.SITE_URL,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/security/password_reset_subject.txt", context)
        body = render_to_string("accounts/security/password_reset_email.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])
    return True
