"""docs/benchmarks.md: one section per size, each from that size's last complete run."""

from __future__ import annotations

import json

from bench import report

MACHINE = {"nproc": 2, "ram_gb": 24.0, "cpu": "test cpu", "os": "Linux"}


def results(size: str, articles: int, p50: float) -> dict:
    return {
        "size": size,
        "date": "2026-12-01",
        "machine": MACHINE,
        "versions": {"python": "3.11"},
        "engine_url": "",
        "config": {
            "articles": articles,
            "articles_first": articles // 10,
            "companies": 2,
            "subscriptions": 10,
            "my_subscriptions": 5,
            "warmup": 1,
            "repeats": 1,
            "per_repeat": 1,
        },
        "timings_s": {"total": 1},
        "workloads": {
            "listing": {
                "caller": "anonymous",
                "peers": {"graphql": {"p50_ms": p50, "p95_ms": p50, "bytes": 10}},
                "ratios": {},
            }
        },
        "query_counts": {"first": {"articles": 10}, "full": {"articles": articles}},
        "targets": [],
    }


def combined(size: str, articles: int, p50: float, only=()) -> dict:
    return {
        "size": size,
        "only": list(only),
        "runs": {"sqlite": results(size, articles, p50)},
    }


def test_each_size_comes_from_its_last_complete_run(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(report, "DOCS", tmp_path / "benchmarks.md")
    files = {
        "20261201-010000-large.json": combined("large", 100_000, 31.5),
        "20261201-020000-large.json": combined("large", 100_000, 77.7, only=["http"]),
        "20261201-030000-small.json": combined("small", 2_000, 1.1),
    }
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data))

    report.write_markdown(combined("medium", 10_000, 12.25))

    text = (tmp_path / "benchmarks.md").read_text()
    sections = [line for line in text.splitlines() if line.startswith("## Size")]
    assert [s.split("`")[1] for s in sections] == ["small", "medium", "large"]
    assert "20261201-010000-large.json" in text  # the complete run, not the partial
    assert "31.5" in text and "77.7" not in text
    assert "12.25" in text and "1.1" in text
