# Two commands do everything on a fresh machine with Python 3.11 to 3.13 (CI tests 3.11 and 3.13):
#   make book   install what is needed into .venv, then build the book into _build/html
#   make test   lint, build the book (cached if unchanged), run the Colab notebooks in bare
#               environments (Colab's versions, the newest pinned ones) and every chapter on
#               JAX and PyTorch, run the tests
# Without internet, first: export DLBOOK_MNIST=/path/to/mnist.npz

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install lock book student pdf colab backends benchmark test test-builds unit lint serve clean
.DELETE_ON_ERROR:
.DEFAULT_GOAL := book

install: $(VENV)/.installed

# Every install reads a lock file (locks/), with the hashes of every package: see booktools.locks.
$(VENV)/.installed: locks/build.txt $(wildcard requirements*.txt) code/pyproject.toml tools/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "The book needs Python 3.11 or newer (NumPy and pandas as pinned do); this is " + sys.version.split()[0] + ". Install it, then run make PYTHON=python3.11 (or newer).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install --require-hashes -r locks/build.txt
	$(BIN)/python -m pip install --no-deps -e ./code -e ./tools
	$(if $(filter lock,$(MAKECMDGOALS)),,$(BIN)/booktools lock --check)
	touch $@

# After editing a requirement file: compile the lock files again (README, "Changing a dependency").
# UPGRADE=1 also moves every package no requirement file pins to its newest version. (make install
# checks that the locks agree with the requirement files, except on its way to `make lock`.)
lock: install
	$(BIN)/booktools lock $(if $(UPGRADE),--upgrade)

# MathJax on Node.js, which typesets the formulas when the book is built (booktools.sphinx.page_weight)
MATH := tools/math/node_modules/.package-lock.json
# Node.js and npm, asked for by name before npm is first called
node-needed = @command -v npm >/dev/null 2>&1 || { echo "Node.js 18 or newer with npm is needed ($(1)): install it (Debian or Ubuntu: sudo apt-get install nodejs npm; macOS: brew install node), then run make again." >&2; exit 1; }
$(MATH): tools/math/package-lock.json
	$(call node-needed,MathJax typesets the formulas when the book is built)
	cd tools/math && npm ci --no-audit --no-fund --silent

book: install $(MATH)
	scripts/build-book

# The student edition: the same book without the exercises' solutions (absent from its pages,
# downloads and Colab notebooks), in _build/student/_build/html. Its chapters' outputs come from
# the full build's execution cache, so nothing is executed again.
student: book
	DLBOOK_EDITION=student DLBOOK_EXECUTE=cache scripts/build-book

# The whole book as one PDF, _build/html/first-network.pdf (linked from every page's download
# menu): a single-page build from the execution cache, printed by Chromium (booktools.release.pdf).
pdf: book
	DLBOOK_BUILDER=singlehtml scripts/build-book
	$(BIN)/booktools pdf _build/singlehtml _build/html

# Python (ruff) and the GitHub workflows (zizmor, actionlint, GitHub's parser: scripts/lint-workflows)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	VENV=$(VENV) scripts/lint-workflows

# Fast unit tests (under a minute): nothing that reads the build, drives a browser, builds a
# book of its own or needs the JAX/PyTorch backends.
unit: install $(MATH)
	$(BIN)/python -m pytest -n auto -m "not book and not browser and not slow and not backends"

# What the notebook runs below execute: every chapter's Colab notebook without its Markdown,
# made from the sources alone (booktools colab code). The runs need no book build, so under
# `make -j2` they start beside it; tests/test_colab.py checks that each run executed the published
# notebook's code cells.
RUN_NOTEBOOKS := _build/run-notebooks
CONVERTER := $(addprefix tools/src/booktools/,project.py myst.py notebooks/colab.py sphinx/checked.py)
$(RUN_NOTEBOOKS)/.made: $(wildcard book/*.md) _toc.yml _config.yml CITATION.cff $(CONVERTER) $(VENV)/.installed
	$(BIN)/booktools colab code $(RUN_NOTEBOOKS) >/dev/null
	touch $@

# The Colab notebooks in bare environments, on Colab's versions (locks/colab.txt, from
# requirements-colab.txt) and on the newest pinned ones (locks/runtime.txt); re-run when a chapter or the helper changes
# (a chapter whose code cells did not change is reused from DLBOOK_CACHE: booktools.notebooks.run).
colab: book _build/colab-run/colab/run.json _build/colab-run/runtime/run.json

# What runs the notebooks: a change to it re-runs them (a run reuses a notebook's earlier result
# only when its inputs, this code included, are unchanged: booktools.notebooks.run).
RUNNERS := $(wildcard tools/src/booktools/notebooks/*.py)

_build/colab-run/%/run.json: locks/%.txt $(RUN_NOTEBOOKS)/.made $(wildcard code/src/dlbook/*) scripts/check-colab $(RUNNERS)
	NOTEBOOKS=$(RUN_NOTEBOOKS) PYTHON=$(PYTHON) scripts/check-colab $*

# Every chapter on Keras' JAX and PyTorch backends (CPU builds), re-run when a notebook or the
# helper package changes. TensorFlow is covered by the book build itself.
backends: book _build/runs/jax/run.json _build/runs/torch/run.json

$(VENV)/.backends: locks/backends.txt $(VENV)/.installed
	$(BIN)/python -m pip install --require-hashes -r locks/backends.txt
	touch $@

_build/runs/%/run.json: $(VENV)/.backends $(RUN_NOTEBOOKS)/.made $(wildcard code/src/dlbook/*.py) scripts/run-chapters $(RUNNERS)
	# One thread per run: `make -j2` runs two of them side by side on two cores, and PyTorch's
	# threads, competing for the cores, made its convolutional chapter time out (over 900 s for
	# one cell; 200 s with one thread).
	OMP_NUM_THREADS=1 NOTEBOOKS=$(RUN_NOTEBOOKS) PYTHON=$(BIN)/python scripts/run-chapters $*

# axe-core for the accessibility tests (tests/test_browser.py), Lighthouse for tests/test_lighthouse.py
tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	$(call node-needed,axe-core and Lighthouse run the browser tests)
	cd tests/browser && npm ci --no-audit --no-fund --silent

# Everything: lint, the book, the student edition, the PDF, the notebook runs, the tests. The tests
# that read only the builds (test-builds) run while the notebook runs go on; the tests that read
# the runs (marked `runs` by tests/conftest.py) come last, and so does Lighthouse (marked `quiet`),
# whose timings the runs would load.
test: lint test-builds colab backends
	$(BIN)/python -m pytest -m "runs or quiet" --durations=5

# Alone, `make test-builds` runs the `quiet` tests too; under `make test` they wait for the runs.
LATER := $(if $(filter test,$(MAKECMDGOALS)), and not quiet)
test-builds: lint book student pdf tests/browser/node_modules/.package-lock.json
	$(BIN)/python -m pytest -m "not runs$(LATER)" --durations=15

# Under `make -j2 test` (scripts/ci, two cores) the jobs run in two lanes of about equal length:
#   the book, the student edition, the PDF, test-builds, the Colab run on the newest pins;
#   the PyTorch run, the Colab run on Colab's versions, the JAX run.
# Left to itself, make would start a run whenever a slot freed and leave the tests of the builds
# for last. The JAX and PyTorch backends are installed before the book build: the execution cache
# keys every chapter on the packages a run can import, Keras' backends among them, and installed
# beside the build they made the student edition and the PDF execute every chapter again.
ifneq ($(filter test,$(MAKECMDGOALS)),)
book: | $(VENV)/.backends
pdf: | student
_build/colab-run/runtime/run.json: | test-builds
_build/colab-run/colab/run.json: | _build/runs/torch/run.json
_build/runs/jax/run.json: | _build/colab-run/colab/run.json
endif

# Measure build and training speed on this machine (most of an hour on 2 cores; run it on a quiet
# machine). `.venv/bin/booktools benchmark training` redoes the training section alone (7 minutes
# on a quiet 2-core machine, three times that on a busy one), `... benchmark reading` the chapters'
# running times for the reading times alone (after a chapter's code changed). Writes
# code/src/dlbook/measurements.json, which the appendix reads, and pins its hash in the appendix.
benchmark: install $(VENV)/.backends
	$(BIN)/booktools benchmark

serve: book
	@echo "Serving the book on http://localhost:8000 (Ctrl-C stops)"
	$(BIN)/python -m http.server --directory _build/html 8000

clean:
	rm -rf _build
