# Two commands do everything on a fresh machine with Python 3.10+:
#   make book   install what is needed into .venv, then build the book into _build/html
#   make test   lint, build the book (cached if unchanged), run the Colab notebooks in bare
#               environments (Colab's versions, the newest pinned ones) and every chapter on
#               JAX and PyTorch, run the tests
# Without internet, first: export DLBOOK_MNIST=/path/to/mnist.npz

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install book student pdf colab backends benchmark test unit lint serve clean
.DELETE_ON_ERROR:
.DEFAULT_GOAL := book

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-runtime.txt code/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

book: install
	scripts/build-book

# The student edition: the same book without the exercises' solutions (absent from its pages,
# downloads and Colab notebooks), in _build/student/_build/html. Its chapters' outputs come from
# the full build's execution cache, so nothing is executed again.
student: book
	DLBOOK_EDITION=student DLBOOK_EXECUTE=cache scripts/build-book

# The whole book as one PDF, _build/html/first-network.pdf (linked from every page's download
# menu): a single-page build from the execution cache, printed by Chromium (scripts/book_pdf.py).
pdf: book
	jupyter-book build . --builder singlehtml --warningiserror --nitpick --keep-going
	$(BIN)/python scripts/book_pdf.py _build/singlehtml _build/html

# Python (ruff) and the GitHub workflows (zizmor, actionlint, GitHub's parser: scripts/lint-workflows)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	VENV=$(VENV) scripts/lint-workflows

# Fast unit tests (under a minute): nothing that reads the build, drives a browser, builds a
# book of its own or needs the JAX/PyTorch backends.
unit: install
	$(BIN)/python -m pytest -m "not book and not browser and not slow and not backends"

# The Colab notebooks in bare environments, on Colab's versions (requirements-colab.txt) and on
# the newest pinned ones (requirements-runtime.txt); re-run when a notebook or the helper changes.
colab: book _build/colab-run/colab/run.json _build/colab-run/runtime/run.json

# The runs read the notebooks the book build writes, so they wait for it (order-only: | book),
# also under `make -j2`.
_build/colab-run/%/run.json: requirements-%.txt $(wildcard _build/notebooks/book/*.ipynb) $(wildcard code/src/dlbook/*) | book
	PYTHON=$(PYTHON) scripts/check-colab $*

# Every chapter on Keras' JAX and PyTorch backends (CPU builds), re-run when a notebook or the
# helper package changes. TensorFlow is covered by the book build itself.
backends: book _build/runs/jax/run.json _build/runs/torch/run.json

$(VENV)/.backends: requirements-backends.txt $(VENV)/.installed
	$(BIN)/python -m pip install -r requirements-backends.txt
	touch $@

_build/runs/%/run.json: $(VENV)/.backends $(wildcard _build/notebooks/book/*.ipynb) $(wildcard code/src/dlbook/*.py) | book
	# One thread per run: `make -j2` runs two of them side by side on two cores, and PyTorch's
	# threads, competing for the cores, made its convolutional chapter time out (over 900 s for
	# one cell; 200 s with one thread).
	OMP_NUM_THREADS=1 PYTHON=$(BIN)/python scripts/run-chapters $*

# axe-core for the accessibility tests (tests/test_browser.py)
tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --silent

test: lint book student pdf colab backends tests/browser/node_modules/.package-lock.json
	$(BIN)/python -m pytest

# Measure build and training speed on this machine (most of an hour on 2 cores; run it on a quiet
# machine; `.venv/bin/python scripts/benchmark.py training` redoes the training section alone,
# 7 minutes on a quiet 2-core machine, three times that on a busy one). Writes code/src/dlbook/measurements.json, which the appendix reads, and pins its
# hash in the appendix.
benchmark: install $(VENV)/.backends
	$(BIN)/python scripts/benchmark.py

serve: book
	@echo "Serving the book on http://localhost:8000 (Ctrl-C stops)"
	$(BIN)/python -m http.server --directory _build/html 8000

clean:
	rm -rf _build
