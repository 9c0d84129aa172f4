"""Test-only control of the provider, over HTTP from the test process (the provider runs in
a process of its own): create or change a user and his or her groups, register the client,
and choose how the token endpoint's next ID tokens go wrong. Every request must carry the
run's control token; the provider listens on 127.0.0.1 only."""

import base64
import json
import time

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from jwcrypto import jwk, jwt
from oauth2_provider.models import Application

# How the ID tokens the token endpoint issues are spoiled (one mode at a time):
# other_key: signed by a key that is not published; wrong_audience: for another client;
# expired: expired ten minutes ago (beyond any leeway); wrong_nonce, wrong_issuer.
MODES = {"normal", "other_key", "wrong_audience", "expired", "wrong_nonce", "wrong_issuer"}
STATE = {"mode": "normal"}
# The `amr` claim per username (RFC 8176 values); "pwd" when not set.
AMR: dict[str, list[str]] = {}
_OTHER_KEY = jwk.JWK.generate(kty="RSA", size=2048)


def _guarded(view):
    @csrf_exempt
    @require_POST
    def wrapper(request):
        if not settings.CONTROL_TOKEN or (
            request.headers.get("X-Control-Token") != settings.CONTROL_TOKEN
        ):
            return HttpResponseForbidden("control token")
        return view(request, json.loads(request.body or b"{}"))

    return wrapper


@_guarded
def user_view(request, data):
    """Create or update a user: username, password, email, first_name, last_name, groups
    (the names the `groups` claim carries), amr."""
    user, _ = User.objects.get_or_create(username=data["username"])
    for field in ("email", "first_name", "last_name"):
        if field in data:
            setattr(user, field, data[field])
    if "password" in data:
        user.set_password(data["password"])
    user.save()
    if "groups" in data:
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in data["groups"]])
    if "amr" in data:
        AMR[user.username] = list(data["amr"])
    return JsonResponse({"id": user.pk})


@_guarded
def client_view(request, data):
    """Register (or change) the relying party: client_id, client_secret, redirect_uris."""
    app = Application.objects.filter(client_id=data["client_id"]).first() or Application(
        client_id=data["client_id"]
    )
    app.name = "OSM"
    app.client_type = Application.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    app.algorithm = Application.RS256_ALGORITHM
    app.skip_authorization = True  # no consent screen
    app.redirect_uris = " ".join(data["redirect_uris"])
    if "client_secret" in data:
        app.client_secret = data["client_secret"]
    app.save()
    return JsonResponse({"client_id": app.client_id})


@_guarded
def mode_view(request, data):
    """Choose how the next ID tokens are spoiled ("normal" for none)."""
    mode = data.get("mode", "normal")
    if mode not in MODES:
        return JsonResponse({"error": f"unknown mode {mode}"}, status=400)
    STATE["mode"] = mode
    return JsonResponse({"mode": mode})


def _decode(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def spoil(serialized: str, key) -> str:
    """The ID token as the current mode spoils it, re-signed (with the provider's own key,
    except in mode other_key, which keeps the key id but signs with an unpublished key)."""
    mode = STATE["mode"]
    if mode == "normal":
        return serialized
    header_part, claims_part, _ = serialized.split(".")
    header, claims = _decode(header_part), _decode(claims_part)
    signing_key = key
    now = int(time.time())
    if mode == "other_key":
        signing_key = _OTHER_KEY
    elif mode == "wrong_audience":
        claims["aud"] = "another-client"
    elif mode == "expired":
        claims.update(iat=now - 3600, auth_time=now - 3600, exp=now - 600)
    elif mode == "wrong_nonce":
        claims["nonce"] = "not-the-nonce-sent"
    elif mode == "wrong_issuer":
        claims["iss"] = "http://issuer.invalid/o"
    token = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
    token.make_signed_token(signing_key)
    return token.serialize()
