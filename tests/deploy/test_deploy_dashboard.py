"""The Grafana dashboard: layout, data source, a RED row per service, the panels on-call needs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.deploy.metric_queries import (
    DASHBOARD_PATH,
    dashboard_queries,
    metric_uses_in_promql,
    substitute_grafana_variables,
)
from tests.deploy.service_settings import SERVICES

pytestmark = pytest.mark.unit

GRID_COLUMNS = 24
FASTSTREAM_RED = (
    "faststream_received_processed_messages_total",
    "faststream_received_processed_messages_exceptions_total",
    "faststream_received_processed_messages_duration_seconds_bucket",
)
# What the issue asks the dashboard to show, by the metric that shows it.
REQUIRED_METRICS = {
    "jobs by state": "reelforge_render_jobs",
    "end-to-end time quantiles": "reelforge_job_end_to_end_seconds_bucket",
    "provider latency": "reelforge_provider_request_duration_seconds_bucket",
    "errors by class": "reelforge_provider_errors_total",
    "circuit state": "reelforge_circuit_state",
    "rate-limit waits": "reelforge_rate_limit_wait_seconds_bucket",
    "DLQ messages": "reelforge_dlq_messages_total",
    "consumer lag": "reelforge_consumer_lag",
    "storage throughput": "reelforge_storage_bytes_total",
    "cost per hour": "reelforge_render_cost_usd_total",
}


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded = json.loads(DASHBOARD_PATH.read_text())
    assert isinstance(loaded, dict)
    return loaded


def _rows(dashboard: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(row title, the panels under it) in order; rows are expanded, panels follow them."""
    title = ""
    panels: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            if title:
                yield title, panels
            title, panels = panel["title"], []
        else:
            panels.append(panel)
    yield title, panels


def _metrics(panel: dict[str, Any]) -> set[str]:
    return {
        use.metric
        for target in panel.get("targets", [])
        for use in metric_uses_in_promql(
            substitute_grafana_variables(target["expr"]), panel["title"]
        )
    }


def test_every_query_parses(dashboard: dict[str, Any]) -> None:
    queries = dashboard_queries()

    assert len(queries) >= 40
    for source, expr in queries:
        assert metric_uses_in_promql(expr, source), f"{source} selects no metric"


def test_panels_tile_the_grid_without_overlapping(dashboard: dict[str, Any]) -> None:
    occupied: dict[tuple[int, int], str] = {}
    ids = [panel["id"] for panel in dashboard["panels"]]

    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0
        assert grid["x"] + grid["w"] <= GRID_COLUMNS, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in occupied, f"{panel['title']} overlaps {occupied[(x, y)]}"
                occupied[(x, y)] = panel["title"]


def test_every_panel_queries_the_selectable_prometheus(dashboard: dict[str, Any]) -> None:
    (variable,) = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    expected = {"type": "prometheus", "uid": f"${{{variable['name']}}}"}

    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == expected, panel["title"]
        assert panel["targets"], f"{panel['title']} has no query"
        for target in panel["targets"]:
            assert target["datasource"] == expected


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_row_with_rate_errors_and_duration(
    dashboard: dict[str, Any], service: str
) -> None:
    rows = dict(_rows(dashboard))
    red_exprs = [
        target["expr"]
        for panel in rows[service]
        for target in panel["targets"]
        if f'app_name="{service}"' in target["expr"]
    ]
    used = {
        m for expr in red_exprs for m in _metrics({"title": service, "targets": [{"expr": expr}]})
    }

    assert set(FASTSTREAM_RED) <= used


@pytest.mark.parametrize(("what", "metric"), REQUIRED_METRICS.items())
def test_dashboard_shows_what_on_call_needs(
    dashboard: dict[str, Any], what: str, metric: str
) -> None:
    panels = [p for p in dashboard["panels"] if p["type"] != "row" and metric in _metrics(p)]

    assert panels, f"no panel shows {what} ({metric})"


def test_end_to_end_time_is_shown_as_quantiles(dashboard: dict[str, Any]) -> None:
    (panel,) = [
        p for p in dashboard["panels"] if "reelforge_job_end_to_end_seconds_bucket" in _metrics(p)
    ]
    exprs = [t["expr"] for t in panel["targets"]]

    assert all(e.startswith("histogram_quantile(") for e in exprs)
    assert {e.split(",")[0] for e in exprs} >= {"histogram_quantile(0.5", "histogram_quantile(0.99"}
    assert panel["fieldConfig"]["defaults"]["unit"] == "s"
