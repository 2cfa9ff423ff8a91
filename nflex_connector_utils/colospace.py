"""``nflex_connector_utils.colospace``: the spelling the 0.2.0 documentation printed for
:mod:`nflex_connector_utils.colo_space`. The same class, under the documented path."""

from __future__ import annotations

from .colo_space import ColoSpace

__all__ = ["ColoSpace"]
