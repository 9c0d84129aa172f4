"""The provider's claims: the standard ones OSM reads, the user's Django groups as `groups`,
and `amr` (control.AMR); and the hook that spoils ID tokens on demand (control.spoil)."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from . import control


class ProviderValidator(OAuth2Validator):
    """django-oauth-toolkit's validator with OSM's claims."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "openid", "amr": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": True,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "amr": control.AMR.get(user.username, ["pwd"]),
        }

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        return control.spoil(signed, request.client.jwk_key)
