"""API v1 of the communication app (every resource registered on the one router in
osm/api.py): analyses and comments, announcements, awareness pulses, practices, and the
search across everything the user may see."""

from .announcements import PATHS as announcement_paths
from .announcements import ROUTES as announcement_routes
from .commentary import ROUTES as commentary_routes
from .practices import PATHS as practice_paths
from .practices import ROUTES as practice_routes
from .pulses import PATHS as pulse_paths
from .pulses import ROUTES as pulse_routes
from .search import PATHS as search_paths

ROUTES = [*commentary_routes, *announcement_routes, *pulse_routes, *practice_routes]
PATHS = [*announcement_paths, *pulse_paths, *practice_paths, *search_paths]
