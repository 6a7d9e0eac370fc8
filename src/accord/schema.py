"""Every table of every capability, gathered for Alembic and for tests.

A capability with tables adds its ``models`` module here.
"""

from accord.accounts import models as _accounts  # noqa: F401
from accord.agency import models as _agency  # noqa: F401
from accord.calendar import models as _calendar  # noqa: F401
from accord.calendar.renewals import models as _renewals  # noqa: F401
from accord.clients import models as _clients  # noqa: F401
from accord.core import models as _core  # noqa: F401
from accord.core import policy_store as _policy_store  # noqa: F401  (kam_settings)
from accord.core.database import Base
from accord.growth import models as _growth  # noqa: F401
from accord.growth.opportunities import models as _opportunities  # noqa: F401
from accord.handoffs import models as _handoffs  # noqa: F401
from accord.health import models as _health  # noqa: F401
from accord.kpis import models as _kpis  # noqa: F401
from accord.licences import models as _licences  # noqa: F401
from accord.licences.signals import models as _licence_signals  # noqa: F401
from accord.plans import models as _plans  # noqa: F401
from accord.plans.targets import models as _targets  # noqa: F401
from accord.proposals import models as _proposals  # noqa: F401
from accord.relationships import models as _relationships  # noqa: F401
from accord.revenue import models as _revenue  # noqa: F401
from accord.selection import models as _selection  # noqa: F401

metadata = Base.metadata
