# Every target sets up what it needs: a fresh clone runs `make run` or `make test` directly.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Python kenlm module is compiled from source with this maximum n-gram order
# (shipped models are order 5; 7 leaves room for users' own models).
KENLM_MAX_ORDER := 7
SHARED ?= ../shared
CORPORA := $(SHARED)/corpora
KENLM_BIN := .kenlm/bin

.PHONY: run test lint bench models calibrate kenlm-tools clean

# The editable install builds the compiled core (quality-core/, with maturin: a Rust toolchain and a C++
# compiler); it is rebuilt when its sources change. `cargo` runs the core's own checks in release mode, so
# they reuse what maturin compiled (KenLM's C++ above all) instead of compiling it all again.
CORE_SOURCES := quality-core/Cargo.toml $(wildcard quality-core/src/*.rs)
CARGO := cd quality-core && cargo

$(STAMP): pyproject.toml $(CORE_SOURCES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	MAX_ORDER=$(KENLM_MAX_ORDER) $(BIN)/pip install -q --no-binary kenlm -e '.[dev,dask]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/quality check samples/

test: $(STAMP)
	$(BIN)/ruff check quality tests bench
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings
	$(CARGO) clippy --release --all-targets --features python -- -D warnings
	$(CARGO) test --release
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/accuracy.py --shared $(SHARED)
	$(BIN)/python bench/speed.py --shared $(SHARED)
	$(BIN)/python bench/precision.py --shared $(SHARED)

# KenLM's lmplz and build_binary, built from the kenlm source distribution on PyPI
# (cmake and Boost from Debian's packages; installed here when missing and we are root).
kenlm-tools: $(KENLM_BIN)/lmplz

$(KENLM_BIN)/lmplz:
	@if ! dpkg -s libboost-program-options-dev libboost-thread-dev libboost-test-dev cmake >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq cmake libboost-program-options-dev \
	    libboost-system-dev libboost-thread-dev libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev; \
	  else echo "need: apt-get install cmake libboost-program-options-dev libboost-system-dev libboost-thread-dev libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev"; exit 1; fi; fi
	rm -rf .kenlm/src && mkdir -p .kenlm/src $(KENLM_BIN)
	$(PYTHON) -m pip download -q --no-deps --no-binary kenlm -d .kenlm/src 'kenlm>=0.2.0'
	tar -xzf .kenlm/src/kenlm-*.tar.gz -C .kenlm/src
	cd .kenlm/src/kenlm-*/ && mkdir -p build && cd build && \
	  cmake .. -DKENLM_MAX_ORDER=$(KENLM_MAX_ORDER) -DCMAKE_BUILD_TYPE=Release >/dev/null && \
	  $(MAKE) -j2 lmplz build_binary >/dev/null
	cp .kenlm/src/kenlm-*/build/bin/lmplz .kenlm/src/kenlm-*/build/bin/build_binary $(KENLM_BIN)/

# The shipped models: one training path, `quality train`, with the corpora listed in models/<lang>/corpora.txt.
models: $(STAMP) kenlm-tools
	@for lang in es pt el en fr de it; do \
	  args=$$(grep -v "^#" models/$$lang/corpora.txt | sed -e "s|^\([^ ]*\)|$(CORPORA)/$$lang/\1|" | tr '\n' ' '); \
	  licence=$$(sed -n 's/^# licence: //p' models/$$lang/corpora.txt); \
	  $(BIN)/quality train --lang $$lang $$args --out models/$$lang --kenlm-bin $(KENLM_BIN) \
	    --licence "$$licence" --notes models/$$lang/notes.md || exit 1; \
	done

# Re-measure calibration.json of the shipped models without retraining them.
calibrate: $(STAMP)
	$(BIN)/python -m quality.calibration --shared $(SHARED) models/es models/pt models/el models/en models/fr models/de models/it

clean:
	rm -rf $(VENV) .kenlm build *.egg-info quality-core/target quality/_core*.so
