"""accounts' API: the users (writable for OSM staff), the audit events, each person's own
sessions and tokens. `ROUTES` (prefix, viewset, basename) go on osm/api.py's router,
`PATHS` beside it."""

from . import audit, sessions, users

ROUTES = [*users.ROUTES, *audit.ROUTES, *sessions.ROUTES]
PATHS = [*users.PATHS, *audit.PATHS, *sessions.PATHS]
