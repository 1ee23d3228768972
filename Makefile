# Two commands on a fresh machine with only Python 3:
#   make lab    create .venv, install everything, open JupyterLab on the notebooks (the main job)
#   make test   create .venv if missing, install, run ruff, the unit tests and strict nbval
# Everything else here serves those two or the maintainers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Plots render off screen in tests and re-execution; JupyterLab itself uses its inline backend.
export MPLBACKEND := Agg
# Keep Jupyter's own paths in the venv so a clean machine and CI read the same configuration.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: help install lab test test-unit test-notebooks lint notebooks lock clean

help:
	@echo "make lab        open the notebooks in JupyterLab (sets everything up first)"
	@echo "make test       ruff + unit tests + strict nbval on every notebook"
	@echo "make notebooks  re-execute every notebook in place (outputs and widget state)"
	@echo "make lock       re-resolve requirements-lock.txt from pyproject.toml"

install: $(STAMP)

# The venv is (re)built when the lock or the package metadata changes. The pinned lock gives
# every student and CI the same versions, hence the same numbers in the stored outputs.
$(STAMP): requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	@# The first import of matplotlib.pyplot builds its font cache and says so on stderr:
	@# do it now, not inside a notebook that strict nbval compares.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $@

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check .

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest -q notebooks

# One pytest run for unit tests and notebooks, so its closing line counts everything.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[notebooks,test]" "setuptools>=75"
	.lock-venv/bin/python -m pip freeze --exclude-editable --all \
		| grep -v -i -E '^(numpy-nn-derivation|pip)==' > requirements-lock.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build *.egg-info
