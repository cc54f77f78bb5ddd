#!/usr/bin/env bash
# Puts promtool (from Debian's `prometheus` package) into the directory given, for the deployment
# checks in tests/deploy. Unpacks the package instead of installing it, so no Prometheus server is
# installed or started. Idempotent and quiet; where apt is unavailable it says so and the checks that
# need promtool skip.
set -euo pipefail

dest=$(cd "${1:?usage: install-promtool.sh DIRECTORY}" && pwd)
if command -v promtool > /dev/null 2>&1 || [ -x "$dest/promtool" ]; then
    exit 0
fi
if ! command -v apt-get > /dev/null 2>&1 || ! command -v dpkg-deb > /dev/null 2>&1; then
    echo "install-promtool: no apt-get/dpkg-deb here; the promtool checks will be skipped" >&2
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
download() { apt-get download -q prometheus > download.log 2>&1; }
if ! download; then
    # A fresh machine has no package lists yet.
    if ! { apt-get update -q > update.log 2>&1 && download; }; then
        echo "install-promtool: could not download Debian's prometheus package; the promtool" \
            "checks will be skipped:" >&2
        tail -n 3 ./*.log >&2 || true
        exit 0
    fi
fi
dpkg-deb -x prometheus_*.deb unpacked
install -m 0755 unpacked/usr/bin/promtool "$dest/promtool"
