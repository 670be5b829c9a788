"""snapshot_core: the pure core of snapshot-orchestrator (domain rules, ports, use cases).

It does no I/O and imports only the standard library and pydantic. Every name is imported
on first use (``lazy_exports``): ``from snapshot_core import bucket_source`` loads that use
case and the domain it needs, not the whole core.
"""

from typing import TYPE_CHECKING

from .domain import __all__ as _domain_all
from .lazy_exports import export_lazily
from .ports import __all__ as _ports_all
from .use_cases import __all__ as _use_cases_all

if TYPE_CHECKING:
    from .domain import *  # noqa: F403
    from .ports import *  # noqa: F403
    from .use_cases import *  # noqa: F403

__all__ = [*_domain_all, *_ports_all, *_use_cases_all]
__version__ = "0.1.0"

export_lazily(
    __name__, {".domain": _domain_all, ".ports": _ports_all, ".use_cases": _use_cases_all}
)
