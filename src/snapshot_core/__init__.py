"""snapshot_core: the pure core of snapshot-orchestrator (domain rules, ports, use cases).

It does no I/O and imports only the standard library and pydantic.
"""

from .domain import *  # noqa: F403
from .domain import __all__ as _domain_all
from .ports import *  # noqa: F403
from .ports import __all__ as _ports_all
from .use_cases import *  # noqa: F403
from .use_cases import __all__ as _use_cases_all

__all__ = [*_domain_all, *_ports_all, *_use_cases_all]
__version__ = "0.1.0"
