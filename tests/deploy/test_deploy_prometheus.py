"""deploy/prometheus with promtool: the rules and config check, the alerts fire when they should
(promtool's rule unit tests), every alert carries what on-call needs, and the metric lint."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.metric_catalogue import catalogue_exposition, faststream_exposition
from tests.deploy.metric_queries import ALERTS_PATH, REPO_ROOT, promtool_check_metrics
from tests.deploy.tools import require_tool

pytestmark = pytest.mark.unit

PROMETHEUS_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
ALERT_UNIT_TESTS = Path(__file__).with_name("alerts_test.yml")
RUNBOOK = REPO_ROOT / "deploy" / "README.md"
REQUIRED_ALERTS = {
    "ReelforgeProviderCircuitOpen",
    "ReelforgeDeadLettersGrowing",
    "ReelforgeJobPastDeadline",
    "ReelforgeNoVideoReady",
    "ReelforgeConsumerLagHigh",
    "ReelforgeServiceDown",
}


@pytest.fixture(scope="module")
def promtool() -> str:
    return require_tool("promtool")


def _alert_rules() -> list[dict[str, Any]]:
    rules_file = yaml.safe_load(ALERTS_PATH.read_text())
    return [rule for group in rules_file["groups"] for rule in group["rules"] if "alert" in rule]


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


def test_promtool_accepts_the_alert_rules(promtool: str) -> None:
    result = _run([promtool, "check", "rules", str(ALERTS_PATH)])

    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_prometheus_config(promtool: str) -> None:
    result = _run([promtool, "check", "config", str(PROMETHEUS_CONFIG)])

    assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_fire_when_they_should_and_stay_quiet_otherwise(
    promtool: str, tmp_path: Path
) -> None:
    rules_file = yaml.safe_load(ALERTS_PATH.read_text())
    for group in rules_file["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules_file))
    shutil.copy(ALERT_UNIT_TESTS, tmp_path / ALERT_UNIT_TESTS.name)

    result = _run([promtool, "test", "rules", ALERT_UNIT_TESTS.name], cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    tested = set(re.findall(r"alertname: (\w+)", ALERT_UNIT_TESTS.read_text()))
    assert tested == {rule["alert"] for rule in _alert_rules()}


def test_the_required_alerts_exist() -> None:
    assert {rule["alert"] for rule in _alert_rules()} >= REQUIRED_ALERTS


@pytest.mark.parametrize("rule", _alert_rules(), ids=lambda rule: rule["alert"])
def test_every_alert_tells_on_call_what_and_where_to_look(rule: dict[str, Any]) -> None:
    annotations = rule["annotations"]
    anchor = re.match(r"deploy/README\.md#(\S+?):", annotations["runbook"])
    headings = re.findall(r"^#+ (.+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    anchors = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}

    assert rule["labels"]["severity"] in {"critical", "warning"}
    assert annotations["summary"].strip()
    assert annotations["description"].strip()
    assert anchor, "runbook hint must start with deploy/README.md#<section>:"
    assert anchor.group(1) in anchors, f"no section #{anchor.group(1)} in {RUNBOOK}"


async def test_metric_names_pass_promtools_lint(promtool: str) -> None:
    for exposition in (catalogue_exposition(), await faststream_exposition()):
        result = promtool_check_metrics(promtool, exposition)

        assert result.ok, result.output


def test_metric_lint_reports_badly_named_metrics(promtool: str) -> None:
    bad = "# HELP jobs Jobs done.\n# TYPE jobs counter\njobs 3\n"

    result = promtool_check_metrics(promtool, bad)

    assert not result.ok
    assert '"_total" suffix' in result.output
