"""Fixtures of the reliability suite (helpers in rel_common.py)."""

from __future__ import annotations

from typing import Any

import pytest

from rel_common import record_case


@pytest.fixture
def case_log(request):
    """``case_log(case, group, checks, result, passed, measured)`` for this test."""
    extended = request.node.get_closest_marker("extended") is not None

    def log(case: str, group: str, checks: str, result: str, passed: bool,
            measured: dict[str, Any] | None = None) -> bool:
        record_case(case, group, checks, result, passed, measured, request.node.nodeid,
                    extended)
        return passed

    return log
