"""Benchmark the book's build and the reference model's training, side by side, on this machine.

    make benchmark                  (= booktools benchmark)
    booktools benchmark training    (section 5 alone; the rest is kept)
    booktools benchmark reading     (the chapters as plain scripts again, for the reading times
                                     alone: a quarter of an hour; the rest is kept)

Measures, in one run:

1. the cold build of the whole book from an empty cache, with each chapter's execution time;
2. the same chapters run as plain Python scripts (their code cells concatenated), and the ratio
   cold build / plain scripts: the overhead of the book machinery;
3. a warm rebuild with nothing changed;
4. each chapter's execution time on the TensorFlow, JAX and PyTorch backends;
5. the training speed of the reference model (784 -> 10 sigmoid -> 10 softmax, SGD 0.01,
   batch 100, 5 epochs, no shuffling) with Keras' default settings, with steps_per_execution
   and with jit_compile, on each backend, against the plain NumPy reference (dlbook.reference:
   the same float32 arithmetic, loss included, starting weights and batch order). Each
   setting is timed REPEATS times, each time a first fit in a new process with empty compile
   caches (so one run's compiling does not speed up the next), the fastest counted, and once
   more as a second fit of the now compiled model. A setting Keras resolves to the same as
   another (jit_compile=True is JAX's default) is timed once and recorded as the same; a
   setting that fails is recorded with its error.

The results go to code/src/dlbook/measurements.json (inside the helper package, so that a Colab
notebook of the appendix has them), whose hash is written into the appendix's
``measurements.load(...)`` call: only the appendix re-executes. Run it on a quiet machine: other
work skews every figure.
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

from booktools import project
from booktools.project import ROOT

OUT = ROOT / "code" / "src" / "dlbook" / "measurements.json"
APPENDIX = ROOT / "book" / "backends-and-speed.md"
BENCH = ROOT / "_build" / "benchmark"
BACKENDS = ("tensorflow", "jax", "torch")
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[benchmark] {message}", flush=True)


def base_env(**extra) -> dict:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1", **extra)
    env.pop("DLBOOK_EXECUTE", None)  # the cold build must use the cache machinery as readers do
    # ... but not a cache shared with other builds (scripts/ci sets one): the cold build would be
    # warm, and the chapter runs would report the seconds of earlier runs they reuse.
    env.pop("DLBOOK_CACHE", None)
    return env


# --- 1 and 3: cold build and warm rebuild -------------------------------------------------------


#: Pages that report the benchmark's results: not part of what is measured (they read its output).
REPORTS = {"book/backends-and-speed"}


def benchmark_toc() -> Path:
    """The book's table of contents without the report pages."""
    import yaml

    toc = project.toc()
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
        [ROOT / "scripts" / "build-book", "--path-output", str(BENCH), "--toc", str(toc)],
        capture_output=True,
        text=True,
        env=dict(env, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}"),  # build-book calls jupyter-book
    )
    seconds = time.perf_counter() - start
    log_text = result.stdout + result.stderr
    warnings = [
        line
        for line in log_text.splitlines()
        if "WARNING:" in line and "IPKernelApp" not in line and "absl::InitializeLog" not in line
    ]
    # Links to the report pages, which this build leaves out, are expected to dangle.
    unexpected = [
        line
        for line in warnings
        if "undefined label" not in line and not any(f"unknown document: '/{r}'" in line for r in REPORTS)
    ]
    if "Executing notebook failed" in log_text or unexpected or (result.returncode and not warnings):
        sys.exit(f"benchmark build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    chapters = {
        Path(m.group(1)).relative_to(ROOT).with_suffix("").as_posix(): float(m.group(2))
        for m in re.finditer(r"^(\S+\.md): Executed notebook in ([\d.]+) seconds", result.stdout, re.M)
    }
    return seconds, chapters


# --- 2: plain scripts -----------------------------------------------------------------------------


def chapter_names() -> list[str]:

    return [name for name in project.chapters(ROOT) if name not in REPORTS]


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
        [PYTHON, "-m", "booktools", "run-notebooks", str(notebooks), str(out)],
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
    """The prepared training and test sets, labels one-hot in float32 (the NumPy reference takes
    float32 only; Keras casts to float32 itself)."""
    import numpy as np

    from dlbook import data

    (x_train, y_train), _, (x_test, y_test) = data.load_prepared()
    return x_train, y_train.astype(np.float32), x_test, y_test.astype(np.float32)


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
        return [stored[f"arr_{i}"].astype(np.float32) for i in range(len(stored.files))]


def numpy_training() -> dict:
    """The reference training in plain NumPy (dlbook.reference: float32 throughout, the loss
    computed at every step as Keras does): same starting weights and batch order. Timed REPEATS
    times from the same starting weights; the fastest run is reported."""
    from dlbook import reference

    x_train, y_train, x_test, y_test = reference_data()
    times, losses = [], None
    for _ in range(REPEATS):
        weights = [w.copy() for w in initial_weights()]
        start = time.perf_counter()
        losses = reference.train(weights, x_train, y_train, EPOCHS, BATCH, LEARNING_RATE)
        times.append(time.perf_counter() - start)
    return {
        "seconds": min(times),
        "all_seconds": times,
        "final_loss": losses[-1],
        "test_accuracy": reference.accuracy(weights, x_test, y_test),
    }


def keras_variants(backend: str) -> dict[str, dict]:
    """The settings compared on ``backend``: Keras' defaults, jit_compile, and where Keras runs
    several steps per call, steps_per_execution with and without jit_compile."""
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


def compiled_model(settings: dict):
    if not WEIGHTS.exists():  # made by the main run on its backend, so that every backend shares them
        sys.exit(f"{WEIGHTS} is missing: run the whole benchmark (booktools benchmark), not a helper step.")
    import keras

    from dlbook import models

    model = models.build_dense_network()
    model.set_weights(initial_weights())
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        **settings,
    )
    return model


def resolve_variants(backend: str) -> dict[str, dict]:
    """Each variant's settings as Keras resolved them on ``backend`` (run in a subprocess with
    KERAS_BACKEND set): Keras' default jit_compile="auto" means compiled on JAX and not on
    TensorFlow on a CPU, so a variant can be the same as another; those are timed once."""
    resolved = {}
    for name, settings in keras_variants(backend).items():
        model = compiled_model(settings)
        resolved[name] = {
            "settings": settings,
            "effective": {
                "jit_compile": bool(model.jit_compile),
                "steps_per_execution": model.steps_per_execution,
            },
        }
    return resolved


def one_fit(backend: str, variant: str) -> dict:
    """One timed training in this process, which is new and whose compile caches are empty (see
    fresh_process_env): the first fit (what a reader waits for, tracing and compiling included),
    then a second fit of 5 more epochs on the same model, whose training step is compiled."""
    x_train, y_train, x_test, y_test = reference_data()
    model = compiled_model(keras_variants(backend)[variant])
    times = []
    for _ in range(2):
        start = time.perf_counter()
        history = model.fit(x_train, y_train, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
        times.append(time.perf_counter() - start)
        if len(times) == 1:
            loss, accuracy = history.history["loss"][-1], float(model.evaluate(x_test, y_test, verbose=0)[1])
    return {"first": times[0], "second": times[1], "final_loss": float(loss), "test_accuracy": accuracy}


def fresh_process_env(env: dict, backend: str, cache_dir: str) -> dict:
    """The environment of a new process for one timed fit: the backend, and every compile cache
    the backends keep on disk pointed at an empty folder (PyTorch's inductor and Triton caches;
    JAX's persistent cache off; TensorFlow's XLA keeps none unless asked)."""
    return dict(
        env,
        KERAS_BACKEND=backend,
        TORCHINDUCTOR_CACHE_DIR=os.path.join(cache_dir, "inductor"),
        TRITON_CACHE_DIR=os.path.join(cache_dir, "triton"),
        JAX_ENABLE_COMPILATION_CACHE="false",
    )


def helper(args: list[str], env: dict) -> dict:
    """Run this script as a helper process; its last line of output is JSON.

    A helper that fails gives ``{"error": <its last line of stderr>}``, shown as failed.
    """
    result = subprocess.run(
        [PYTHON, "-m", "booktools.benchmark", *args], env=env, capture_output=True, text=True
    )
    if result.returncode:
        return {"error": (result.stderr.strip().splitlines() or ["(no message)"])[-1][:300]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def keras_training(backend: str, env: dict, numpy_seconds: float) -> dict:
    """Every distinct variant on ``backend``, each repeat a first fit in a new process."""
    resolved = helper(["--resolve", backend], dict(env, KERAS_BACKEND=backend))
    if "error" in resolved:
        sys.exit(f"could not compile the reference model on {backend}: {resolved['error']}")
    variants, same_as = {}, {}
    for name, spec in resolved.items():
        twin = next((other for other in variants if resolved[other]["effective"] == spec["effective"]), None)
        if twin:  # the same settings once Keras resolved them: not a row of its own
            same_as[name] = twin
            continue
        runs = []
        for _ in range(REPEATS):
            with tempfile.TemporaryDirectory(prefix="dlbook-compile-cache-") as cache:
                runs.append(helper(["--fit", backend, name], fresh_process_env(env, backend, cache)))
        failed = [run["error"] for run in runs if "error" in run]
        if failed:  # shown as failed in the appendix, not dropped
            variants[name] = {"error": failed[0], "effective": spec["effective"]}
            continue
        first, second = [r["first"] for r in runs], [r["second"] for r in runs]
        variants[name] = {
            "effective": spec["effective"],
            "seconds": min(first),
            "compiled_seconds": min(second),
            "all_seconds": first,
            "all_compiled_seconds": second,
            "ratio_to_numpy": min(first) / numpy_seconds,
            "compiled_ratio_to_numpy": min(second) / numpy_seconds,
            "final_loss": runs[0]["final_loss"],
            "test_accuracy": runs[0]["test_accuracy"],
        }
    return {"variants": variants, "same_as": same_as, "recommended": recommended(backend)}


def recommended(backend: str) -> str:
    """The setting the book recommends (chapter Training): dlbook.models.fast_steps_per_execution."""
    from dlbook.models import fast_steps_per_execution

    steps = fast_steps_per_execution(backend)
    return "default" if steps == 1 else f"steps_per_execution={steps}"


def training_speed(env: dict) -> dict:
    log("training: NumPy ...")
    numpy_result = numpy_training()
    training = {
        "machine": machine(),
        "numpy": numpy_result,
        "epochs": EPOCHS,
        "batch_size": BATCH,
        "learning_rate": LEARNING_RATE,
        "repeats": REPEATS,
    }
    for backend in BACKENDS:
        log(f"training: Keras on {backend}, each first fit in a new process ...")
        training[backend] = keras_training(backend, env, numpy_result["seconds"])
    return training


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


def pin_in_appendix(text: str) -> None:
    """Write the results' hash into the appendix's ``measurements.load(...)`` call. The execution
    cache keys each chapter on its cells, and the results file is left out of the environment
    fingerprint (booktools.notebooks.environment), so new results re-execute the appendix alone."""
    import hashlib

    digest = hashlib.sha256(text.encode()).hexdigest()
    source = APPENDIX.read_text()
    pinned, count = re.subn(r'measurements\.load\("[0-9a-f]{64}"\)', f'measurements.load("{digest}")', source)
    if count != 1:
        sys.exit(f'{APPENDIX.relative_to(ROOT)} must call measurements.load("<sha256>") exactly once')
    APPENDIX.write_text(pinned)


def write(results: dict) -> None:
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    OUT.write_text(text)
    pin_in_appendix(text)
    log(f"wrote {OUT.relative_to(ROOT)} and pinned its hash in {APPENDIX.relative_to(ROOT)}")


def reading_times(plain: dict[str, float]) -> dict:
    """What the reading times use: each chapter's code run as a plain script, and when and where
    (booktools.reading_time); measured again alone when the chapters change."""
    return {"machine": machine(), "chapter_seconds": plain}


def measure(part: str) -> None:
    env = base_env()
    if part == "reading":  # the chapters' code alone; every other section stays as it was
        results = json.loads(OUT.read_text())
        log("plain scripts, for the reading times ...")
        results["reading"] = reading_times(plain_scripts(env))
        log(f"plain scripts {sum(results['reading']['chapter_seconds'].values()):.1f} s")
        write(results)
        return
    if part == "training":  # the other sections stay as the last full run measured them
        results = json.loads(OUT.read_text())
        shutil.rmtree(BENCH / "training", ignore_errors=True)
        WEIGHTS.unlink(missing_ok=True)
    else:
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
        results["reading"] = reading_times(plain)

        results["chapters_by_backend"] = {}
        for backend in BACKENDS:
            log(f"chapters on {backend} ...")
            results["chapters_by_backend"][backend] = chapters_on(backend, env)

    training = results["training"] = training_speed(env)
    write(results)
    summary = {
        b: training[b]["variants"][training[b]["recommended"]].get("ratio_to_numpy", "failed")
        for b in BACKENDS
    }
    log(f"recommended setting / NumPy: {summary}")


def main(argv: list[str]) -> int:
    """``booktools benchmark [all|training]``; ``--resolve`` and ``--fit`` are its helper processes."""
    if argv[:1] == ["--resolve"] and len(argv) == 2:
        print(json.dumps(resolve_variants(argv[1])))
    elif argv[:1] == ["--fit"] and len(argv) == 3:
        print(json.dumps(one_fit(argv[1], argv[2])))
    elif argv in ([], ["all"], ["training"], ["reading"]):
        measure(argv[0] if argv else "all")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
