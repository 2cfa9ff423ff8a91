"""Progress reports of a running CMP account sync task."""

from __future__ import annotations

from typing import Any, Optional

from ._api import call_cmp


def set_task_percentage(context: Any, task_id: Optional[str], percentage: float) -> None:
    """POST ``{'percentage': percentage}`` to ``/tasks/<task_id>/update`` via ``context.api``.

    ``task_id`` is the event's ``task_id``; None means there is no task and nothing is sent.
    A status other than 200 raises ``Exception('Got bad response from tasks API: ...')``.
    """
    if task_id is None:
        return
    call_cmp(context, "post", f"/tasks/{task_id}/update", {"percentage": percentage}, "tasks")
