"""Every table of every capability, gathered for Alembic and for tests."""

from accord.accounts import models as _accounts  # noqa: F401
from accord.core import models as _core  # noqa: F401
from accord.core.database import Base
from accord.revenue import models as _revenue  # noqa: F401

try:  # capabilities that add tables register here
    from accord.kpis import models as _kpis  # noqa: F401
except ImportError:  # pragma: no cover - package without tables
    pass

metadata = Base.metadata
