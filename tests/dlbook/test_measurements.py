"""The benchmark's results reach the appendix pinned by hash (dlbook.measurements, booktools.benchmark)."""

import hashlib
import re
from importlib import resources
from pathlib import Path

import pytest

from booktools import benchmark, project
from dlbook import measurements

ROOT = Path(__file__).resolve().parents[2]
RAW = resources.files("dlbook").joinpath("measurements.json").read_bytes()


def test_the_appendix_pins_the_results_file_it_reads():
    pins = re.findall(
        r'measurements\.load\("([0-9a-f]{64})"\)', (ROOT / "book/backends-and-speed.md").read_text()
    )
    assert pins == [hashlib.sha256(RAW).hexdigest()], (
        "run make benchmark: it writes the results and pins them"
    )


def test_load_checks_the_hash():
    assert measurements.load(hashlib.sha256(RAW).hexdigest()) == measurements.load()
    with pytest.raises(ValueError, match="make benchmark"):
        measurements.load("0" * 64)


def test_every_setting_is_timed_or_failed_or_the_same_as_another():
    """No setting vanishes: each of the benchmark's variants is a row (timed or failed), or is
    recorded as the same as another row once Keras resolved its settings."""
    training = measurements.load()["training"]
    for backend in ("tensorflow", "jax", "torch"):
        result = training[backend]
        for variant, measured in result["variants"].items():
            assert ("error" in measured) != ("seconds" in measured), (backend, variant)
            if "seconds" in measured:
                assert (
                    len(measured["all_seconds"])
                    == training["repeats"]
                    == len(measured["all_compiled_seconds"])
                )
                assert measured["seconds"] == min(measured["all_seconds"])
        for variant, twin in result["same_as"].items():
            assert twin in result["variants"] and variant not in result["variants"]
            assert variant != twin
        assert result["recommended"] in result["variants"]
        assert set(result["variants"]) | set(result["same_as"]) == set(benchmark.keras_variants(backend))


def test_the_benchmark_shares_no_cache_with_other_builds(monkeypatch):
    """scripts/ci sets DLBOOK_CACHE; a benchmark run from such a shell must still build cold and
    run every chapter, not report the seconds of earlier runs it reused."""
    monkeypatch.setenv("DLBOOK_CACHE", "/tmp/shared-cache")
    monkeypatch.setenv("DLBOOK_EXECUTE", "force")
    env = benchmark.base_env()
    assert "DLBOOK_CACHE" not in env and "DLBOOK_EXECUTE" not in env


def test_the_chapter_times_cover_every_chapter():
    """The appendix says its per-backend table covers every chapter but itself: a new chapter
    needs a new benchmark run."""
    for backend, seconds in measurements.load()["chapters_by_backend"].items():
        assert set(seconds) == set(project.chapters(ROOT)) - benchmark.REPORTS, (
            f"{backend}: run make benchmark"
        )
