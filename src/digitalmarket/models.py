"""Every stage's tables in one metadata, for migrations and their tests."""

from .accounts import tables as _accounts  # noqa: F401
from .core import audit as _audit  # noqa: F401
from .core.tables import Base

metadata = Base.metadata
