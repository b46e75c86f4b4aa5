"""Benchmark the book's build and the reference model's training, side by side, on this machine.

    make benchmark            (= .venv/bin/python scripts/benchmark.py)

Measures, in one run:

1. the cold build of the whole book from an empty cache, with each chapter's execution time;
2. the same chapters run as plain Python scripts (their code cells concatenated), and the ratio
   cold build / plain scripts: the overhead of the book machinery;
3. a warm rebuild with nothing changed;
4. each chapter's execution time on the TensorFlow, JAX and PyTorch backends;
5. the training speed of the reference model (784 -> 10 sigmoid -> 10 softmax, SGD 0.01,
   batch 100, 5 epochs, no shuffling) with Keras' default settings, with steps_per_execution
   and with jit_compile, on each backend, against a plain NumPy implementation of the same
   arithmetic, starting weights and batch order; each timed 3 times, the fastest run counted, and
   once more as a second fit of an already compiled model (the cost without the one-off
   tracing and compiling).

The results go to code/src/dlbook/measurements.json, from which the appendix and the training
chapter glue their numbers. Run it on a quiet machine: other work skews every figure.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "code" / "src" / "dlbook" / "measurements.json"
BENCH = ROOT / "_build" / "benchmark"
BACKENDS = ("tensorflow", "jax", "torch")
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[benchmark] {message}", flush=True)


def base_env(**extra) -> dict:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1", **extra)
    env.pop("DLBOOK_EXECUTE", None)  # the cold build must use the cache machinery as readers do
    return env


# --- 1 and 3: cold build and warm rebuild -------------------------------------------------------


#: Pages that report the benchmark's results: not part of what is measured (they read its output).
REPORTS = {"book/backends-and-speed"}


def benchmark_toc() -> Path:
    """The book's table of contents without the report pages."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc.get("parts", []):
        part["chapters"] = [c for c in part["chapters"] if c["file"] not in REPORTS]
    path = BENCH / "_toc.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(toc, sort_keys=False))
    return path


def build(env: dict) -> tuple[float, dict[str, float]]:
    toc = benchmark_toc()
    start = time.perf_counter()
    result = subprocess.run(
        [
            BIN / "jupyter-book",
            "build",
            str(ROOT),
            "--path-output",
            str(BENCH),
            "--toc",
            str(toc),
            "-W",
            "-n",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    log_text = result.stdout + result.stderr
    warnings = [
        line
        for line in log_text.splitlines()
        if "WARNING:" in line and "IPKernelApp" not in line and "absl::InitializeLog" not in line
    ]
    unexpected = [line for line in warnings if "undefined label" not in line]  # links to report pages
    if "Executing notebook failed" in log_text or unexpected or (result.returncode and not warnings):
        sys.exit(f"benchmark build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    chapters = {
        Path(m.group(1)).relative_to(ROOT).with_suffix("").as_posix(): float(m.group(2))
        for m in re.finditer(r"^(\S+\.md): Executed notebook in ([\d.]+) seconds", result.stdout, re.M)
    }
    return seconds, chapters


# --- 2: plain scripts -----------------------------------------------------------------------------


def chapter_names() -> list[str]:
    import colab  # scripts/ is this script's own folder, first on its path

    return [name for name in colab.chapters(ROOT) if name not in REPORTS]


def plain_scripts(env: dict) -> dict[str, float]:
    import jupytext

    times = {}
    for name in chapter_names():
        notebook = jupytext.read(ROOT / f"{name}.md")
        code = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        with tempfile.TemporaryDirectory(prefix="dlbook-plain-") as cwd:
            script = Path(cwd) / "chapter.py"
            script.write_text(code)
            start = time.perf_counter()
            result = subprocess.run([PYTHON, str(script)], cwd=cwd, env=env, capture_output=True, text=True)
            times[name] = time.perf_counter() - start
        if result.returncode:
            sys.exit(f"{name} failed as a plain script:\n{result.stderr[-3000:]}")
    return times


# --- 4: chapters per backend ----------------------------------------------------------------------


def chapters_on(backend: str, env: dict) -> dict[str, float]:
    out = BENCH / "runs" / backend
    shutil.rmtree(out, ignore_errors=True)
    notebooks = BENCH / "notebooks-measured"
    if not notebooks.exists():  # the built notebooks minus the report pages
        shutil.copytree(BENCH / "_build" / "notebooks", notebooks)
        for name in REPORTS:
            (notebooks / f"{name}.ipynb").unlink(missing_ok=True)
    subprocess.run(
        [PYTHON, str(ROOT / "scripts/run_notebooks.py"), str(notebooks), str(out)],
        env=dict(env, KERAS_BACKEND=backend),
        check=True,
        capture_output=True,
    )
    report = json.loads((out / "run.json").read_text())
    return {name: r["seconds"] for name, r in report["notebooks"].items()}


# --- 5: training speed ----------------------------------------------------------------------------

EPOCHS, BATCH, LEARNING_RATE = 5, 100, 0.01
REPEATS = 3  # each training is timed this many times; the fastest run counts (as timeit does)


def reference_data():
    from dlbook import data

    (x_train, y_train), _, (x_test, y_test) = data.load_prepared()
    return x_train, y_train, x_test, y_test


WEIGHTS = BENCH / "initial_weights.npz"


def initial_weights():
    """The reference network's starting weights for seed 0, made once (on the backend of the
    main run) and shared with every backend's run through a file, so all start alike."""
    import numpy as np

    if not WEIGHTS.exists():
        import keras

        from dlbook import models

        keras.utils.set_random_seed(0)
        weights = models.build_dense_network().get_weights()
        WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
        np.savez(WEIGHTS, *weights)
    with np.load(WEIGHTS) as stored:
        return [stored[f"arr_{i}"] for i in range(len(stored.files))]


def numpy_training(weights, x_train, y_train, x_test, y_test) -> dict:
    """The reference training in NumPy: same arithmetic, starting weights and batch order.
    Timed REPEATS times from the same starting weights; the fastest run is reported."""
    import numpy as np

    times = []
    for _ in range(REPEATS):
        w1, b1, w2, b2 = (w.astype(np.float32).copy() for w in weights)
        start = time.perf_counter()
        for _ in range(EPOCHS):
            for i in range(0, len(x_train), BATCH):
                x, y = x_train[i : i + BATCH], y_train[i : i + BATCH]
                h = 1 / (1 + np.exp(-(x @ w1 + b1)))
                z = h @ w2 + b2
                p = np.exp(z - z.max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
                dz = (p - y) / len(x)  # gradient of the mean cross-entropy through softmax
                dh = (dz @ w2.T) * h * (1 - h)
                w2 -= LEARNING_RATE * (h.T @ dz)
                b2 -= LEARNING_RATE * dz.sum(axis=0)
                w1 -= LEARNING_RATE * (x.T @ dh)
                b1 -= LEARNING_RATE * dh.sum(axis=0)
        times.append(time.perf_counter() - start)
    h = 1 / (1 + np.exp(-(x_test @ w1 + b1)))
    accuracy = float(np.mean((h @ w2 + b2).argmax(axis=1) == y_test.argmax(axis=1)))
    return {"seconds": min(times), "all_seconds": times, "test_accuracy": accuracy}


def keras_variants(backend: str) -> dict[str, dict]:
    from dlbook.models import fast_steps_per_execution

    variants = {"default": {}, "jit_compile=True": {"jit_compile": True}}
    steps = fast_steps_per_execution(backend)
    if steps > 1:  # not where Keras allows only one step per call (PyTorch)
        variants[f"steps_per_execution={steps}"] = {"steps_per_execution": steps}
        variants[f"steps_per_execution={steps}, jit_compile=True"] = {
            "steps_per_execution": steps,
            "jit_compile": True,
        }
    return variants


def keras_training(backend: str) -> dict:
    """Run in a subprocess per backend (KERAS_BACKEND is read when Keras is imported).

    Each variant is timed REPEATS times, each time a new model from the shared starting weights:
    ``seconds`` is the fastest first ``fit`` (what a reader waits for, compiling included);
    ``compiled_seconds`` the fastest second ``fit`` of 5 more epochs on the same model, whose
    training step is already traced and compiled (the cost per step without the one-off cost)."""
    import keras

    from dlbook import models

    x_train, y_train, x_test, y_test = reference_data()
    weights = initial_weights()
    results = {}
    for name, settings in keras_variants(backend).items():
        first, second, accuracy = [], [], None
        try:
            for _ in range(REPEATS):
                model = models.build_dense_network()
                model.set_weights(weights)
                model.compile(
                    optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
                    loss="categorical_crossentropy",
                    metrics=["accuracy"],
                    **settings,
                )
                for times in (first, second):
                    start = time.perf_counter()
                    model.fit(x_train, y_train, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
                    times.append(time.perf_counter() - start)
                    if accuracy is None:
                        accuracy = float(model.evaluate(x_test, y_test, verbose=0)[1])
        except Exception as err:  # record what does not work instead of hiding it
            results[name] = {"error": f"{type(err).__name__}: {err}"[:300]}
            continue
        results[name] = {
            "seconds": min(first),
            "compiled_seconds": min(second),
            "all_seconds": first,
            "all_compiled_seconds": second,
            "test_accuracy": accuracy,
        }
    return results


def recommended(backend: str) -> str:
    """The setting the book recommends (chapter Training): dlbook.models.fast_steps_per_execution."""
    from dlbook.models import fast_steps_per_execution

    steps = fast_steps_per_execution(backend)
    return "default" if steps == 1 else f"steps_per_execution={steps}"


# --- the whole run --------------------------------------------------------------------------------


def machine() -> dict:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    import keras

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "keras": keras.__version__,
        "date": time.strftime("%Y-%m-%d"),
    }


def main() -> None:
    env = base_env()
    results = {"machine": machine()}
    shutil.rmtree(BENCH, ignore_errors=True)

    log("cold build (empty cache) ...")
    cold, cold_chapters = build(env)
    log(f"cold build {cold:.1f} s")
    log("warm rebuild (nothing changed) ...")
    warm, warm_chapters = build(env)
    log(f"warm rebuild {warm:.1f} s, {len(warm_chapters)} chapters executed")
    log("plain scripts ...")
    plain = plain_scripts(env)
    log(f"plain scripts {sum(plain.values()):.1f} s")
    results["build"] = {
        "cold_seconds": cold,
        "cold_chapter_seconds": cold_chapters,
        "warm_seconds": warm,
        "warm_chapters_executed": len(warm_chapters),
        "plain_seconds": sum(plain.values()),
        "plain_chapter_seconds": plain,
        "overhead_ratio": cold / sum(plain.values()),
    }

    results["chapters_by_backend"] = {}
    for backend in BACKENDS:
        log(f"chapters on {backend} ...")
        results["chapters_by_backend"][backend] = chapters_on(backend, env)

    log("training: NumPy ...")
    x_train, y_train, x_test, y_test = reference_data()
    numpy_result = numpy_training(initial_weights(), x_train, y_train, x_test, y_test)
    training = {
        "numpy": numpy_result,
        "epochs": EPOCHS,
        "batch_size": BATCH,
        "learning_rate": LEARNING_RATE,
        "repeats": REPEATS,
    }
    for backend in BACKENDS:
        log(f"training: Keras on {backend} ...")
        result = subprocess.run(
            [PYTHON, __file__, "--training", backend],
            env=dict(env, KERAS_BACKEND=backend),
            capture_output=True,
            text=True,
            check=True,
        )
        variants = json.loads(result.stdout.strip().splitlines()[-1])
        for measured in variants.values():
            if "seconds" in measured:
                measured["ratio_to_numpy"] = measured["seconds"] / numpy_result["seconds"]
                measured["compiled_ratio_to_numpy"] = measured["compiled_seconds"] / numpy_result["seconds"]
        training[backend] = {"variants": variants, "recommended": recommended(backend)}
    results["training"] = training

    OUT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    log(f"wrote {OUT.relative_to(ROOT)}")
    summary = {b: training[b]["variants"][training[b]["recommended"]].get("ratio_to_numpy") for b in BACKENDS}
    log(
        f"overhead ratio {results['build']['overhead_ratio']:.2f}, warm rebuild {warm:.1f} s, "
        f"recommended setting / NumPy: {summary}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--training"]:
        print(json.dumps(keras_training(sys.argv[2])))
    elif len(sys.argv) == 1:
        main()
    else:
        sys.exit(__doc__)
