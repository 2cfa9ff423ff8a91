"""nflex_connector_utils: build the data NTT CMP connector modules return.

A drop-in replacement for ``nflex-connector-utils==0.2.0``: the same import paths,
classes and arguments, and the same JSON from ``serialize()``::

    >>> from nflex_connector_utils import Server, serialize_list
    >>> [r['id'] for r in serialize_list([Server(id='server-1', name='Server 1')])]
    ['server-1']

The expression parsers (``nflex_connector_utils.parser``, backed by
:mod:`nflex_metrics`) and the local CMP client (:mod:`nflex_connector_utils.local`,
which needs requests) are imported on first use, so importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import (
    account,
    appliance,
    circuit,
    colo_space,
    compute_pool,
    connections,
    errors,
    image_detail,
    ip_address,
    locations,
    logger,
    metadata,
    network,
    resource,
    rfc3339,
    saas_user,
    server,
    service_offering,
    tasks,
    time,
    tools,
    volume,
)
from ._api import CmpConnectionError
from .account import Account
from .appliance import Appliance
from .circuit import Circuit
from .colo_space import ColoSpace
from .compute_pool import ComputePool
from .connections import Connections
from .errors import InsufficientPermission, InvalidCredentials, NoBillingReport, SpendError
from .image_detail import ImageDetail, ImageDetailMap
from .ip_address import IpAddress
from .locations import Locations, Region
from .logger import Logger
from .metadata import Metadata, MetadataWarning
from .network import Network
from .resource import Detail, Resource
from .rfc3339 import convert_datetime
from .saas_user import SaaSUser, SaasUser
from .server import Server
from .service_offering import ServiceOffering
from .tasks import set_task_percentage
from .time import setup_time_interval
from .tools import serialize_list, vcr_cassette_context
from .volume import Volume

if TYPE_CHECKING:
    from . import local, parser
    from .local import CmpClient, LocalContext
    from .parser import (
        CaseExpressionParser,
        ExpressionParser,
        ParsedEntry,
        SimpleExpressionParser,
        TernaryExpressionParser,
        VariableLookupError,
        load_metric_mapping,
    )

__version__ = "1.0.0.dev0"

# Public name -> submodule that defines it; imported on first attribute access.
_LAZY = {
    "CaseExpressionParser": "parser",
    "ExpressionParser": "parser",
    "ParsedEntry": "parser",
    "SimpleExpressionParser": "parser",
    "TernaryExpressionParser": "parser",
    "VariableLookupError": "parser",
    "load_metric_mapping": "parser",
    "CmpClient": "local",
    "LocalContext": "local",
}
_LAZY_MODULES = ("parser", "local")

__all__ = [
    "Account",
    "Appliance",
    "CaseExpressionParser",
    "Circuit",
    "CmpClient",
    "CmpConnectionError",
    "ColoSpace",
    "ComputePool",
    "Connections",
    "Detail",
    "ExpressionParser",
    "ImageDetail",
    "ImageDetailMap",
    "InsufficientPermission",
    "InvalidCredentials",
    "IpAddress",
    "LocalContext",
    "Locations",
    "Logger",
    "Metadata",
    "MetadataWarning",
    "Network",
    "NoBillingReport",
    "ParsedEntry",
    "Region",
    "Resource",
    "SaaSUser",
    "SaasUser",
    "Server",
    "ServiceOffering",
    "SimpleExpressionParser",
    "SpendError",
    "TernaryExpressionParser",
    "VariableLookupError",
    "Volume",
    "account",
    "appliance",
    "circuit",
    "colo_space",
    "compute_pool",
    "connections",
    "convert_datetime",
    "errors",
    "image_detail",
    "ip_address",
    "load_metric_mapping",
    "local",
    "locations",
    "logger",
    "metadata",
    "network",
    "parser",
    "resource",
    "rfc3339",
    "saas_user",
    "serialize_list",
    "server",
    "service_offering",
    "set_task_percentage",
    "setup_time_interval",
    "tasks",
    "time",
    "tools",
    "vcr_cassette_context",
    "volume",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nflex_connector_utils' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
