"""Which metrics the Grafana dashboard and the alert rules query, and whether services export them.

The end-to-end test that runs the whole stack calls `assert_dashboard_and_alert_metrics_exported`
with the `/metrics` text of every service after a finished job, and `promtool_check_metrics` on
each of them. PromQL is parsed with `promql-parser` (GreptimeDB's parser), not with regular
expressions, so function names, keywords and label names can never be mistaken for metrics.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml
from prometheus_client.parser import text_string_to_metric_families

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_PATH = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "reelforge.json"
ALERTS_PATH = REPO_ROOT / "deploy" / "prometheus" / "alerts.yml"

# Series that Prometheus itself makes (per scrape target or per rule), not any service.
PROMETHEUS_SYNTHETIC_METRICS = frozenset(
    {"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS", "ALERTS_FOR_STATE"}
)
# Labels that Prometheus attaches to every scraped series (prometheus.yml sets no others).
TARGET_LABELS = frozenset({"job", "instance"})

_GRAFANA_RANGE = "5m"
_GRAFANA_RANGE_VARIABLE = re.compile(r"\[\s*\$(?:\{\w+\}|\w+)\s*(?::[^\]]*)?\]")
_GRAFANA_BUILTIN = re.compile(r"\$\{?__\w+\}?")
_GRAFANA_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")

_SAMPLE_SUFFIXES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "unknown": ("",),
}


@dataclass(frozen=True)
class MetricUse:
    """One metric selected by a query, the labels the query needs on it, and where it is used."""

    metric: str
    labels: frozenset[str]
    source: str


def substitute_grafana_variables(expr: str) -> str:
    """Turn a Grafana query into plain PromQL: ranges become 5m, variables a placeholder value."""
    expr = _GRAFANA_RANGE_VARIABLE.sub(f"[{_GRAFANA_RANGE}]", expr)
    expr = _GRAFANA_BUILTIN.sub(_GRAFANA_RANGE, expr)
    return _GRAFANA_VARIABLE.sub("grafana_variable", expr)


def metric_uses_in_promql(expr: str, source: str) -> list[MetricUse]:
    """Every metric that `expr` selects, with the labels it filters or groups that metric by.

    Raises ValueError when the expression does not parse or selects metrics by a `__name__` regex
    (which cannot be checked against an exposition).
    """
    try:
        tree = promql_parser.parse(expr)
    except ValueError as err:
        raise ValueError(f"{source}: PromQL does not parse: {err}: {expr!r}") from err
    return list(_uses(tree, frozenset(), source))


def _uses(node: Any, grouping: frozenset[str], source: str) -> Iterator[MetricUse]:
    if isinstance(node, promql_parser.VectorSelector):
        yield _selector_use(node, grouping, source)
    elif isinstance(node, promql_parser.MatrixSelector):
        yield _selector_use(node.vector_selector, grouping, source)
    elif isinstance(node, promql_parser.AggregateExpr):
        inner = grouping
        modifier = node.modifier
        if modifier is not None and modifier.type == promql_parser.AggModifierType.By:
            inner = grouping | frozenset(modifier.labels)
        yield from _uses(node.expr, inner, source)
        if node.param is not None:
            yield from _uses(node.param, grouping, source)
    elif isinstance(node, promql_parser.Call):
        for arg in node.args:
            yield from _uses(arg, grouping, source)
    elif isinstance(node, promql_parser.BinaryExpr):
        yield from _uses(node.lhs, grouping, source)
        yield from _uses(node.rhs, grouping, source)
    elif isinstance(
        node, promql_parser.ParenExpr | promql_parser.UnaryExpr | promql_parser.SubqueryExpr
    ):
        yield from _uses(node.expr, grouping, source)


def _selector_use(selector: Any, grouping: frozenset[str], source: str) -> MetricUse:
    matchers = list(selector.matchers.matchers)
    name = selector.name
    if name is None:
        exact = [
            m.value
            for m in matchers
            if m.name == "__name__" and m.op == promql_parser.MatchOp.Equal
        ]
        if not exact:
            raise ValueError(f"{source}: selects metrics by a __name__ pattern: {selector}")
        name = exact[0]
    labels = frozenset(m.name for m in matchers if m.name != "__name__") | grouping
    return MetricUse(metric=name, labels=labels, source=source)


def dashboard_queries(path: Path = DASHBOARD_PATH) -> list[tuple[str, str]]:
    """(source, PromQL) for every panel target and every query variable of a Grafana dashboard."""
    dashboard = json.loads(path.read_text())
    queries: list[tuple[str, str]] = []
    for panel in _panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                source = f"dashboard panel {panel.get('title')!r} ({target.get('refId')})"
                queries.append((source, substitute_grafana_variables(target["expr"])))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        text = query.get("query", "") if isinstance(query, dict) else str(query or "")
        inner = re.fullmatch(r"\s*(?:label_values|query_result)\((.*)\)\s*", text)
        if inner:
            argument = inner.group(1)
            if text.strip().startswith("label_values"):
                argument = argument.rsplit(",", 1)[0] if "," in argument else argument
            queries.append(
                (f"dashboard variable {variable['name']!r}", substitute_grafana_variables(argument))
            )
    return queries


def _panels(panels: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def alert_queries(path: Path = ALERTS_PATH) -> list[tuple[str, str]]:
    """(source, PromQL) for every alerting and recording rule of a Prometheus rules file."""
    rules_file = yaml.safe_load(path.read_text())
    queries: list[tuple[str, str]] = []
    for group in rules_file.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            queries.append((f"alert rule {name!r}", str(rule["expr"])))
    return queries


def dashboard_and_alert_metric_uses(
    dashboard: Path = DASHBOARD_PATH, alerts: Path = ALERTS_PATH
) -> list[MetricUse]:
    """Every metric use in the dashboard and the alert rules."""
    uses: list[MetricUse] = []
    for source, expr in [*dashboard_queries(dashboard), *alert_queries(alerts)]:
        uses.extend(metric_uses_in_promql(expr, source))
    return uses


def exposed_metrics(metrics_texts: Iterable[str]) -> dict[str, set[str] | None]:
    """Sample names that the expositions declare, each with the label names seen on its samples.

    A family declared by `# TYPE` but without samples yet (a labelled counter that has never been
    incremented) still counts as exported, with labels unknown (None).
    """
    exposed: dict[str, set[str] | None] = {}
    for text in metrics_texts:
        for family in text_string_to_metric_families(text):
            for suffix in _SAMPLE_SUFFIXES_BY_TYPE.get(family.type, ("",)):
                exposed.setdefault(family.name + suffix, None)
            for sample in family.samples:
                labels = exposed.get(sample.name)
                exposed[sample.name] = (labels or set()) | set(sample.labels)
    return exposed


def unexported_metric_uses(
    metrics_texts: Iterable[str], uses: Iterable[MetricUse] | None = None
) -> list[str]:
    """Problems, one line each: metrics queried but not exported, or exported without a label."""
    exposed = exposed_metrics(metrics_texts)
    problems: set[str] = set()
    for use in dashboard_and_alert_metric_uses() if uses is None else uses:
        if use.metric in PROMETHEUS_SYNTHETIC_METRICS:
            continue
        if use.metric not in exposed:
            problems.add(f"{use.source}: metric {use.metric} is not exported by any service")
            continue
        labels = exposed[use.metric]
        if labels is None:
            continue
        missing = sorted(use.labels - labels - TARGET_LABELS)
        if missing:
            problems.add(
                f"{use.source}: metric {use.metric} has no label(s) {', '.join(missing)} "
                f"(it has {', '.join(sorted(labels)) or 'none'})"
            )
    return sorted(problems)


def assert_dashboard_and_alert_metrics_exported(metrics_by_service: Mapping[str, str]) -> None:
    """For the e2e test: `metrics_by_service` maps a service name to its scraped /metrics text.

    Fails naming every dashboard panel / alert rule whose metric (or label) no service exports.
    """
    problems = unexported_metric_uses(metrics_by_service.values())
    assert not problems, "\n".join(problems)


@dataclass(frozen=True)
class PromtoolResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def promtool_check_metrics(promtool: str, metrics_text: str) -> PromtoolResult:
    """`promtool check metrics` on one exposition (lint: naming, units, counters' _total ...)."""
    completed = subprocess.run(
        [promtool, "check", "metrics"],
        input=metrics_text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return PromtoolResult(completed.returncode, (completed.stdout + completed.stderr).strip())
