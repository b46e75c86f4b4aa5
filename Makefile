# Two commands do everything on a fresh machine with Python 3.10+:
#   make book   install what is needed into .venv, then build the book into _build/html
#   make test   lint, build the book (cached if unchanged), run the Colab notebooks in a
#               bare environment, run the tests
# Without internet, first: export DLBOOK_MNIST=/path/to/mnist.npz

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install book colab test unit lint serve clean
.DEFAULT_GOAL := book

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-runtime.txt code/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

book: install
	scripts/build-book

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: install
	$(BIN)/python -m pytest -m "not book"

colab: book
	PYTHON=$(PYTHON) scripts/check-colab

test: lint book colab
	$(BIN)/python -m pytest

serve: book
	@echo "Serving the book on http://localhost:8000 (Ctrl-C stops)"
	$(BIN)/python -m http.server --directory _build/html 8000

clean:
	rm -rf _build
