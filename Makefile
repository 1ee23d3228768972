# Two commands on a fresh machine with only Python 3:
#   make lab    create .venv, install everything, open JupyterLab on the notebooks (the main job)
#   make test   create .venv if missing, install, run ruff, the unit tests and strict nbval
# Everything else here serves those two or the maintainers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Notebook kernels (JupyterLab, nbval, `make notebooks`) use matplotlib's inline backend: do not
# export MPLBACKEND here, or figures would not be stored. tests/conftest.py sets Agg for unit tests.
# Keep Jupyter's own paths in the venv so a clean machine and CI read the same configuration.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: help install lab test test-unit test-notebooks lint notebooks lock clean

help:
	@echo "make lab        open the notebooks in JupyterLab (sets everything up first)"
	@echo "make test       ruff + unit tests + strict nbval on every notebook"
	@echo "make notebooks  re-execute every notebook in place (outputs and widget state)"
	@echo "make student    write the classroom edition into student/"
	@echo "make test-browser  run every notebook in JupyterLab in headless Chromium"
	@echo "make html       export the notebooks to a static site in site/"
	@echo "make bench      time a training step against its matrix products"
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
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

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
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[notebooks,test,browser,bench]" "setuptools>=75"
	.lock-venv/bin/python -m pip freeze --exclude-editable --all \
		| grep -v -i -E '^(numpy-nn-derivation|pip)==' > requirements-lock.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) build *.egg-info

# --- Browser test and static site (issue 5) -------------------------------------------------
# test-browser: JupyterLab from .venv on a free localhost port with a token, driven by headless
# Debian Chromium through Playwright; screenshots land in artifacts/screenshots/.
CHROMIUM ?= /usr/bin/chromium

.PHONY: test-browser html chromium

chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: sudo apt-get install chromium (or set CHROMIUM=...)"; \
	    exit 1; fi; }

test-browser: $(STAMP) chromium
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q tests/browser --run-browser

html: $(STAMP)
	$(BIN)/python tools/export_html.py site

# ---- classroom edition (issue 4) -------------------------------------------------------------
# make student   write student/NN_*.ipynb from the notebooks with exercises (and 00_start_here):
#                solution regions replaced by placeholders, outputs from the first exercise on and
#                all metadata cleared. See tools/make_student.py and the README "For teachers".
.PHONY: student
student: $(STAMP)
	$(BIN)/python tools/make_student.py

# make lab-student   open JupyterLab on the classroom edition, student/00_start_here.ipynb
.PHONY: lab-student
lab-student: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) student/00_start_here.ipynb

# ---- benchmark (issue 6) ---------------------------------------------------------------------
# make bench   time one gradient-descent step of helpers.train against its 8 matrix products alone (the BLAS
#              floor), for three sizes in float64 and float32, and against PyTorch CPU autograd if
#              torch happens to be installed (never a dependency). A few minutes; not part of
#              `make test`, and no timing is asserted anywhere. Writes benchmarks/results.json.
#              The BLAS report needs threadpoolctl: pip install -e '.[bench]'.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
