"""Every stage's tables in one metadata, for migrations and their tests."""

from .accounts import review_tables as _account_reviews  # noqa: F401
from .accounts import tables as _accounts  # noqa: F401
from .catalog import search_log as _search_log  # noqa: F401
from .catalog import tables as _catalog  # noqa: F401
from .community import tables as _community  # noqa: F401
from .contracting import decision_tables as _decision_tables  # noqa: F401
from .contracting import tables as _contracting  # noqa: F401
from .core import audit as _audit  # noqa: F401
from .core import consumers as _consumers  # noqa: F401
from .core import idempotency as _idempotency  # noqa: F401
from .core import ids as _ids  # noqa: F401
from .core import notifications as _notifications  # noqa: F401
from .core import tree_heads as _tree_heads  # noqa: F401
from .core.tables import Base
from .helpdesk import tables as _helpdesk  # noqa: F401
from .notifications import tables as _notifications_tables  # noqa: F401
from .opendata import tables as _opendata  # noqa: F401
from .search import tables as _search  # noqa: F401
from .selection import tables as _selection  # noqa: F401
from .settlement import tables as _settlement  # noqa: F401
from .signatures import tables as _signatures  # noqa: F401
from .webhooks import tables as _webhooks  # noqa: F401

metadata = Base.metadata
