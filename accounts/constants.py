"""Names the sign-in features share."""

# Set in the session by single sign-on when the provider asserted a second factor (`amr`),
# read by the second-factor check (OIDC_TRUST_PROVIDER_MFA).
MFA_BY_PROVIDER_SESSION_KEY = "osm_mfa_by_provider"
# How the session signed in: "password" or "sso" (shown on the Security page).
SIGN_IN_METHOD_SESSION_KEY = "osm_sign_in_method"
