"""The metric-name extraction the e2e test relies on, and the dashboard/alert queries against the
agreed metric catalogue and FastStream's real Prometheus middleware."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest

from tests.deploy.metric_catalogue import (
    PROMETHEUS_UP,
    catalogue_exposition,
    faststream_exposition,
)
from tests.deploy.metric_queries import (
    MetricUse,
    assert_dashboard_and_alert_metrics_exported,
    dashboard_and_alert_metric_uses,
    exposed_metrics,
    metric_uses_in_promql,
    substitute_grafana_variables,
    unexported_metric_uses,
)

pytestmark = pytest.mark.unit


def _names(expr: str) -> set[str]:
    return {use.metric for use in metric_uses_in_promql(expr, "test")}


def test_functions_keywords_and_labels_are_not_taken_for_metrics() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (le, handler) "
        '(rate(a_seconds_bucket{status="error"}[5m])))'
        " / on (handler) group_left (app_name) max without (instance) (b_gauge offset 5m)"
        " unless (sum(increase(c_total[15m] offset 15m)) > 0 or vector(0))"
        ' and absent(d_info) + count_values("x", e) - topk(3, f) * max_over_time(g[10m:1m])'
    )

    assert _names(expr) == {
        "a_seconds_bucket", "b_gauge", "c_total", "d_info", "e", "f", "g",
    }  # fmt: skip


def test_labels_a_query_needs_come_from_matchers_and_by_clauses() -> None:
    (use,) = metric_uses_in_promql(
        'sum by (provider, error_class) (rate(errors_total{provider=~"heygen|did"}[5m]))', "src"
    )

    assert use == MetricUse("errors_total", frozenset({"provider", "error_class"}), "src")


def test_without_clause_does_not_require_labels() -> None:
    (use,) = metric_uses_in_promql("sum without (pod) (x)", "src")

    assert use.labels == frozenset()


def test_grafana_variables_become_parseable_promql() -> None:
    expr = substitute_grafana_variables(
        'rate(x{provider=~"$provider", tenant="${tenant:regex}"}[$__rate_interval])'
        ' + increase(y{region="[[legacy]]"}[${window}])'
    )

    assert _names(expr) == {"x", "y"}
    assert "$" not in expr


def test_selecting_metrics_by_name_pattern_cannot_be_checked() -> None:
    with pytest.raises(ValueError, match="__name__ pattern"):
        metric_uses_in_promql('{__name__=~"reelforge_.*"}', "src")


def test_selecting_by_exact_name_matcher_is_the_metric() -> None:
    assert _names('{__name__="reelforge_outbox_pending", service="render"}') == {
        "reelforge_outbox_pending"
    }


def test_broken_promql_is_reported_with_its_source() -> None:
    with pytest.raises(ValueError, match="panel X"):
        metric_uses_in_promql("sum(rate(x[5m])", "panel X")


def test_declared_metrics_without_samples_count_as_exported() -> None:
    registry = CollectorRegistry()
    Counter("never_incremented_total", "h", ["provider"], registry=registry)
    text = generate_latest(registry).decode()

    exposed = exposed_metrics([text])

    assert "never_incremented_total" in exposed
    assert exposed["never_incremented_total"] is None


def test_missing_metric_and_missing_label_are_reported() -> None:
    registry = CollectorRegistry()
    Counter("jobs_total", "h", ["state"], registry=registry).labels("ready").inc()
    text = generate_latest(registry).decode()
    uses = [
        MetricUse("jobs_total", frozenset({"state", "job"}), "panel ok"),
        MetricUse("jobs_total", frozenset({"provider"}), "panel label"),
        MetricUse("jobz_total", frozenset(), "panel typo"),
        MetricUse("up", frozenset({"job"}), "prometheus synthetic"),
    ]

    problems = unexported_metric_uses([text], uses)

    assert problems == [
        "panel label: metric jobs_total has no label(s) provider (it has state)",
        "panel typo: metric jobz_total is not exported by any service",
    ]


def test_dashboard_and_alerts_query_only_catalogue_and_faststream_metrics(
    faststream_metrics: str,
) -> None:
    assert dashboard_and_alert_metric_uses(), "no queries found in the dashboard and alert rules"

    assert_dashboard_and_alert_metrics_exported(
        {"catalogue": catalogue_exposition(), "faststream": faststream_metrics}
    )


def test_the_check_fails_when_a_service_exports_nothing_the_dashboard_needs() -> None:
    with pytest.raises(AssertionError, match="reelforge_circuit_state is not exported"):
        assert_dashboard_and_alert_metrics_exported({"render": PROMETHEUS_UP})


@pytest.fixture
async def faststream_metrics() -> str:
    return await faststream_exposition() + PROMETHEUS_UP
