"""Every dotted path the 0.2.0 API documentation prints imports as written.

The list is the documentation's own spelling of each class, function and exception,
including ``nflex_connector_utils.colospace.ColoSpace`` (the module is ``colo_space``;
the documented spelling is an alias of it).
"""

from __future__ import annotations

import importlib

import pytest

import nflex_connector_utils

DOCUMENTED_PATHS = [
    "nflex_connector_utils.rfc3339.convert_datetime",
    "nflex_connector_utils.tools.serialize_list",
    "nflex_connector_utils.tools.vcr_cassette_context",
    "nflex_connector_utils.tasks.set_task_percentage",
    "nflex_connector_utils.locations.Locations",
    "nflex_connector_utils.locations.Region",
    "nflex_connector_utils.connections.Connections",
    "nflex_connector_utils.image_detail.ImageDetail",
    "nflex_connector_utils.image_detail.ImageDetailMap",
    "nflex_connector_utils.ip_address.IpAddress",
    "nflex_connector_utils.metadata.Metadata",
    "nflex_connector_utils.resource.Resource",
    "nflex_connector_utils.appliance.Appliance",
    "nflex_connector_utils.network.Network",
    "nflex_connector_utils.server.Server",
    "nflex_connector_utils.volume.Volume",
    "nflex_connector_utils.account.Account",
    "nflex_connector_utils.service_offering.ServiceOffering",
    "nflex_connector_utils.compute_pool.ComputePool",
    "nflex_connector_utils.saas_user.SaaSUser",
    "nflex_connector_utils.colospace.ColoSpace",
    "nflex_connector_utils.colo_space.ColoSpace",
    "nflex_connector_utils.circuit.Circuit",
    "nflex_connector_utils.parser.ExpressionParser",
    "nflex_connector_utils.parser.TernaryExpressionParser",
    "nflex_connector_utils.parser.CaseExpressionParser",
    "nflex_connector_utils.parser.SimpleExpressionParser",
    "nflex_connector_utils.parser.ParsedEntry",
    "nflex_connector_utils.parser.VariableLookupError",
    "nflex_connector_utils.parser.load_metric_mapping",
    "nflex_connector_utils.logger.Logger",
    "nflex_connector_utils.time.setup_time_interval",
    "nflex_connector_utils.errors.InsufficientPermission",
    "nflex_connector_utils.errors.InvalidCredentials",
    "nflex_connector_utils.errors.NoBillingReport",
    "nflex_connector_utils.errors.SpendError",
]


@pytest.mark.parametrize("path", DOCUMENTED_PATHS)
def test_the_documented_dotted_path_imports_as_written(path: str) -> None:
    module_name, _, name = path.rpartition(".")
    module = importlib.import_module(module_name)
    value = getattr(module, name)
    # The same object as the package's top-level export.
    assert getattr(nflex_connector_utils, name) is value


def test_colospace_is_the_colo_space_class_not_a_copy() -> None:
    from nflex_connector_utils.colo_space import ColoSpace
    from nflex_connector_utils.colospace import ColoSpace as Documented

    assert Documented is ColoSpace
    assert Documented(id="c1", name="Cage").serialize()["type"] == "colo_space"
