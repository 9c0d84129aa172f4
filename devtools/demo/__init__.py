"""The demo company loaded by `manage.py seed_demo`: Meridian Group, a mid-sized industrial
firm with an Office of Strategy Management, three years into running its Balanced Scorecard.

- `company` holds the static definitions (units, people, objectives, measures, initiatives);
- `story` is the pure arithmetic that turns a measure definition into 36 months of targets
  and actuals (no ORM);
- `builder` writes it all through the apps' services, inside one transaction.
"""

from .builder import DemoBuilder, DemoResult
from .company import DEMO_PASSWORD, DEMO_ROOT_CODE, LOGINS

__all__ = ["DEMO_PASSWORD", "DEMO_ROOT_CODE", "LOGINS", "DemoBuilder", "DemoResult"]
