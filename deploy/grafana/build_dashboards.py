"""Write dyadwatch's Grafana dashboards (deploy/grafana/dashboards/*.json) from the panel lists below.

    python deploy/grafana/build_dashboards.py          # rewrite the JSON files
    python deploy/grafana/build_dashboards.py --check  # exit 1 if the committed JSON is out of date

Every panel query is evaluated against a real Prometheus scraping a real worker in
tests/integration/test_observability.py, with the template variables substituted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASOURCE = {"type": "prometheus", "uid": "dyadwatch-prometheus"}

STAGE_BUCKETS = "sum by (le, stage) (rate(dyadwatch_processing_seconds_bucket[5m]))"

# (title, panel type, unit, [(legend, PromQL)])
OPERATIONS = [
    ("Articles per second", "timeseries", "reqps", [
        ("received", "dyadwatch:articles_received:rate5m"),
        ("tagged", "dyadwatch:articles_tagged:rate5m"),
    ]),
    ("Consumer lag (records)", "timeseries", "short", [
        ("{{topic}}", "dyadwatch:consumer_lag_records:sum"),
    ]),
    ("Processing latency p50 / p99 (per stage)", "timeseries", "s", [
        ("p50 {{stage}}", f"histogram_quantile(0.5, {STAGE_BUCKETS})"),
        ("p99 {{stage}}", f"histogram_quantile(0.99, {STAGE_BUCKETS})"),
    ]),
    ("Event-time lag p95 (arrival − published_at)", "timeseries", "s", [
        ("p95", "histogram_quantile(0.95, sum by (le) (rate(dyadwatch_event_lag_seconds_bucket[5m])))"),
    ]),
    ("Dead letters per second, by reason", "timeseries", "reqps", [
        ("{{reason}}", "dyadwatch:articles_dead_lettered:rate5m"),
    ]),
    ("Dead-letter ratio (15 min)", "stat", "percentunit", [
        ("ratio", "dyadwatch:dead_letter_ratio:rate15m"),
    ]),
    ("Rebalances (1 h)", "stat", "short", [
        ("rebalances", "sum(increase(dyadwatch_rebalances_total[1h]))"),
    ]),
    ("Workers ready", "stat", "short", [
        ("ready", "sum(dyadwatch_worker_ready)"),
    ]),
    ("Open windows held in memory", "timeseries", "short", [
        ("{{instance}}", "dyadwatch_windows_open"),
    ]),
]  # fmt: skip

GEOPOLITICS = [
    ("Tone of $pair ($window windows)", "timeseries", "short", [
        ("mean tone", 'dyadwatch_dyad_sentiment{pair="$pair", window="$window"}'),
    ]),
    ("Directed tone of $pair: who says or does what to whom", "timeseries", "short", [
        ("{{direction}}", 'dyadwatch_dyad_directed_sentiment{pair="$pair", window="$window"}'),
    ]),
    ("Articles on $pair per $window window", "timeseries", "short", [
        ("articles", 'dyadwatch_dyad_articles{pair="$pair", window="$window"}'),
    ]),
    ("Top movers: |z| of the last closed window", "table", "short", [
        ("{{pair}} {{window}}", "topk(10, abs(dyadwatch_dyad_shift_zscore))"),
    ]),
    ("Most-mentioned countries (1 h)", "bargauge", "short", [
        ("{{country}}", "topk(15, sum by (country) (increase(dyadwatch_country_mentions_total[1h])))"),
    ]),
    ("Shift alerts (24 h)", "stat", "short", [
        ("{{direction}}", "sum by (direction) (increase(dyadwatch_alerts_total[24h]))"),
    ]),
    ("Pairs with |z| ≥ 3 now (firing DyadToneShift)", "stat", "short", [
        ("pairs", "count(abs(dyadwatch_dyad_shift_zscore) >= 3) or vector(0)"),
    ]),
]  # fmt: skip

TEMPLATING = [
    {
        "name": "pair",
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": "label_values(dyadwatch_dyad_sentiment, pair)", "refId": "pair"},
        "definition": "label_values(dyadwatch_dyad_sentiment, pair)",
        "refresh": 2,
        "current": {"text": "ARG-BRA", "value": "ARG-BRA"},
    },
    {
        "name": "window",
        "type": "custom",
        "query": "1h,1d",
        "options": [{"text": "1h", "value": "1h", "selected": False}, {"text": "1d", "value": "1d", "selected": True}],
        "current": {"text": "1d", "value": "1d"},
    },
]


def panel(index: int, title: str, kind: str, unit: str, targets: list[tuple[str, str]]) -> dict:
    width = 12 if kind in {"timeseries", "table", "bargauge"} else 6
    return {
        "id": index + 1,
        "title": title,
        "type": kind,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": width, "x": (index * width) % 24, "y": (index // 2) * 8},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"refId": chr(ord("A") + n), "expr": expr, "legendFormat": legend, "datasource": DATASOURCE}
            for n, (legend, expr) in enumerate(targets)
        ],
    }


def dashboard(uid: str, title: str, panels: list, templating: list | None = None) -> dict:
    return {
        "uid": uid,
        "title": title,
        "tags": ["dyadwatch"],
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": templating or []},
        "panels": [panel(i, *spec) for i, spec in enumerate(panels)],
    }


def render() -> dict[str, str]:
    boards = {
        "operations.json": dashboard("dyadwatch-operations", "dyadwatch — operations", OPERATIONS),
        "geopolitics.json": dashboard("dyadwatch-geopolitics", "dyadwatch — geopolitics", GEOPOLITICS, TEMPLATING),
    }
    return {name: json.dumps(board, indent=2, ensure_ascii=False) + "\n" for name, board in boards.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    out = HERE / "dashboards"
    out.mkdir(exist_ok=True)
    stale = []
    for name, text in render().items():
        path = out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python deploy/grafana/build_dashboards.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
