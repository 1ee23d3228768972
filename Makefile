# Two commands on a fresh machine with only Python 3:
#   make lab    create .venv, install everything, open JupyterLab on the notebooks (the main job)
#   make test   create .venv if missing, install, run ruff, the unit tests and strict nbval
# Everything else here serves those two or the maintainers.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# uv creates nothing here: plain `venv` makes .venv, then pip installs this pinned uv into it, and
# uv installs the lock (in parallel, from its cache on later runs).
UV_VERSION := 0.13.9
UV     := $(BIN)/uv
# The Python versions the lock is checked to install on (`make lock-check`), oldest and newest.
PY_MIN := 3.11
PY_MAX := 3.14
# Notebook kernels (JupyterLab, nbval, `make notebooks`) use matplotlib's inline backend: do not
# export MPLBACKEND here, or figures would not be stored. tests/conftest.py sets Agg for unit tests.
# Keep Jupyter's own paths in the venv so a clean machine and CI read the same configuration.
export JUPYTER_PLATFORM_DIRS := 1

.PHONY: help install check-python lab lab-student test test-unit test-notebooks lint notebooks \
	lock lock-check clean

help:
	@echo "make lab          open the notebooks in JupyterLab (sets everything up first)"
	@echo "make test         ruff + unit tests + strict nbval on every notebook"
	@echo "make notebooks    re-execute every notebook in place (outputs and widget state)"
	@echo "make student      write the classroom edition into student/"
	@echo "make worksheet SEED=1  a paper worksheet and its answer key, in build/worksheets/"
	@echo "make lab-student  open the classroom edition in JupyterLab"
	@echo "make test-browser run every notebook in JupyterLab in headless Chromium; check the site"
	@echo "make html         export the notebooks to a static site in site/ (needs npm)"
	@echo "make bench        time a training step against its matrix products"
	@echo "make lock         re-resolve requirements-lock.txt and environment.yml with uv"
	@echo "make lock-check   the lock is current, installs on Python $(PY_MIN)-$(PY_MAX) (Linux,"
	@echo "                  macOS, Windows wheels) and from a copy of the repository elsewhere"
	@echo "make binder-url   the Binder link for this repository's GitHub remote"

install: $(STAMP)

# Fail at once, with the fix, on a Python the lock does not support (not after minutes of pip).
check-python:
	@command -v $(PYTHON) >/dev/null || { echo "No $(PYTHON) found: install Python $(PY_MIN) to $(PY_MAX), or set PYTHON=/path/to/python3.X" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; lo, hi = (tuple(map(int, s.split("."))) for s in ("$(PY_MIN)", "$(PY_MAX)")); sys.exit(0 if lo <= v <= hi else f"This project needs Python $(PY_MIN) to $(PY_MAX); $(PYTHON) is Python {v[0]}.{v[1]}. Install one of those and run e.g. `make lab PYTHON=python3.12` (after `make clean` if .venv exists).")'

# The venv is (re)built when the lock or the package metadata changes. The pinned lock gives
# every student and CI the same versions, hence the same numbers in the stored outputs.
$(STAMP): requirements-lock.txt pyproject.toml jupyter/overrides.json \
		jupyter/ipython_kernel_config.py | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		uv==$(UV_VERSION)
	@# Bytecode compiled at install, so that the first `make test` of a clean clone does not pay for it.
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-lock.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@# This project's Jupyter settings (jupyter/README.md): no news pop-up, retina figures.
	mkdir -p $(VENV)/share/jupyter/lab/settings $(VENV)/etc/ipython
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	cp jupyter/ipython_kernel_config.py $(VENV)/etc/ipython/ipython_kernel_config.py
	@# The first import of matplotlib.pyplot builds its font cache and says so on stderr:
	@# do it now, not inside a notebook that strict nbval compares.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $@

# JupyterLab with the repository as its root (notebooks/, student/, README.md in the file
# browser); the URL it prints, which a headless, SSH or WSL user opens, lands on 00.
LAB = $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(LAB) --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

lab-student: $(STAMP)
	$(LAB) --LabApp.default_url=/lab/tree/student/00_start_here.ipynb

lint: $(STAMP)
	$(BIN)/ruff check .

# One pytest worker per core (pytest-xdist); --dist loadscope keeps each notebook's cells, and
# each test module, on one worker, so nbval runs a notebook top to bottom in one kernel.
# One BLAS thread per worker and per kernel, unless the caller sets a count: with a worker per
# core, more threads only fight for the cores (on 2 cores, 53 s instead of 71 s). CI runs the
# notebooks again on two threads, so stored outputs are checked against both.
PYTEST      := OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} \
               $(BIN)/python -m pytest -q -n auto --dist loadscope

test-unit: $(STAMP)
	$(PYTEST) tests

test-notebooks: $(STAMP)
	$(PYTEST) notebooks

# One pytest run for unit tests and notebooks, so its closing line counts everything.
test: $(STAMP)
	$(BIN)/ruff check .
	$(PYTEST)

# `make notebooks NB=11` re-executes only notebooks/11_*.ipynb.
notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(if $(NB),$(wildcard notebooks/$(NB)_*.ipynb),notebooks/*.ipynb)

# The lock is made by uv's resolver from pyproject.toml (tools/lock.py says how); environment.yml
# (Binder, conda) is generated from it. `make lock UPGRADE=1` moves every pin to the newest.
lock: $(STAMP)
	$(BIN)/python tools/lock.py write --python-min $(PY_MIN) $(if $(UPGRADE),--upgrade)

lock-check: $(STAMP)
	$(BIN)/python tools/lock.py check --python-min $(PY_MIN) --python-max $(PY_MAX) \
		--python $(PYTHON)

binder-url:
	@url=$$(git remote get-url origin 2>/dev/null | sed -E 's#^(git@|https://)github.com[:/]##; s#\.git$$##'); \
	if [ -z "$$url" ]; then echo "no git remote 'origin': Binder needs the repository on GitHub" >&2; exit 1; fi; \
	echo "https://mybinder.org/v2/gh/$$url/HEAD?labpath=notebooks%2F00_start_here.ipynb"

clean:
	rm -rf $(VENV) build *.egg-info site .site-assets

# --- Browser test and static site ------------------------------------------------
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

# ---- classroom edition ------------------------------------------------
# make student   write student/NN_*.ipynb from the notebooks with exercises (and 00_start_here):
#                solution regions replaced by placeholders, outputs from the first exercise on and
#                all metadata cleared. See course/make_student.py and the README "For teachers".
.PHONY: student
student: $(STAMP)
	$(BIN)/python -m course.make_student
	$(BIN)/python -m course.teaching_catalogue
	$(BIN)/python -m course.reading_times

# make worksheet SEED=1   build/worksheets/worksheet-1.md, for the students, and worksheet-1-key.md,
#                         the answer key with a rubric (course/worksheet.py; TEACHING.md)
.PHONY: worksheet
worksheet: $(STAMP)
	$(BIN)/python -m course.worksheet --seed $(or $(SEED),1)

# ---- benchmark ------------------------------------------------
# make bench   time one gradient-descent step of helpers.train against its 8 matrix products
#              alone (the BLAS floor), for three sizes in float64 and float32, and against PyTorch
#              CPU autograd if torch happens to be installed (never a dependency). A few minutes; not part of
#              `make test`, and no timing is asserted anywhere. Writes benchmarks/results.json.
#              The BLAS report needs threadpoolctl: pip install -e '.[bench]'.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# ---- grading a class ------------------------------------------------
# make grade                      grade SUBMISSIONS (one folder per student, or <student>__*.ipynb)
#                                 into GRADES/grades.csv and GRADES/feedback/<student>.md; without
#                                 SUBMISSIONS, first write the synthetic class of 60 (build/class)
#                                 and check the grades against its expected.csv. Each student's
#                                 code runs in a bubblewrap sandbox: installed here with apt when
#                                 run as root, else the one command to run is printed. On a machine
#                                 without one: make grade GRADE_FLAGS=--no-sandbox. See GRADING.md.
# make grade-class                write the synthetic class only (course/synthetic_class.py)
# make test-sandbox               every attack of tests/test_sandbox.py (CI), not only the fast set
# make grade-nbgrader / grade-otter   the same class through nbgrader / otter-grader, installed in
#                                 .venv-grading from requirements-grading-lock.txt (never in .venv)
.PHONY: grade grade-class grade-sandbox test-sandbox grade-nbgrader grade-otter
CLASS       ?= build/class
CLASS_SIZE  ?= 60
GRADES      ?= $(if $(SUBMISSIONS),grades,$(CLASS)/grades)
GRADE_FLAGS ?=
GVENV       := .venv-grading
GSTAMP      := $(GVENV)/.installed

# bubblewrap, unless the teacher grades without a sandbox (GRADE_FLAGS=--no-sandbox)
grade-sandbox:
	@case " $(GRADE_FLAGS) " in *" --no-sandbox "*) exit 0;; esac; \
	command -v bwrap >/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap \
	    >/dev/null; \
	else echo "Grading runs students' code in a bubblewrap sandbox, which is missing:" \
	  "sudo apt-get install bubblewrap (or: make grade GRADE_FLAGS=--no-sandbox, unconfined)" >&2; \
	  exit 1; fi

grade: $(STAMP) grade-sandbox
ifdef SUBMISSIONS
	$(BIN)/python -m course.grading $(SUBMISSIONS) --out $(GRADES) $(GRADE_FLAGS)
else
	$(BIN)/python -m course.synthetic_class $(CLASS) --size $(CLASS_SIZE)
	$(BIN)/python -m course.grading $(CLASS)/submissions --out $(GRADES) --quiet $(GRADE_FLAGS)
	$(BIN)/python -m course.synthetic_class $(CLASS) --compare $(GRADES)/grades.csv
endif

test-sandbox: $(STAMP) grade-sandbox
	SANDBOX_FULL=1 SANDBOX_REQUIRED=1 $(BIN)/python -m pytest -q -p no:randomly -n 0 \
		tests/test_sandbox.py

grade-class: $(STAMP)
	$(BIN)/python -m course.synthetic_class $(CLASS) --size $(CLASS_SIZE)

$(GSTAMP): requirements-grading-lock.txt pyproject.toml | $(STAMP)
	test -x $(GVENV)/bin/python || $(UV) venv -q $(GVENV) --python $(BIN)/python
	$(UV) pip install -q --python $(GVENV)/bin/python -r requirements-grading-lock.txt
	$(UV) pip install -q --python $(GVENV)/bin/python --no-deps --no-build-isolation -e .
	touch $@

grade-nbgrader: $(GSTAMP)
	PATH="$(CURDIR)/$(GVENV)/bin:$$PATH" $(GVENV)/bin/python -m course.grade_nbgrader

grade-otter: $(GSTAMP)
	PATH="$(CURDIR)/$(GVENV)/bin:$$PATH" $(GVENV)/bin/python -m course.grade_otter
