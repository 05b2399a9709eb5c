# CP Handbook. The two commands a fresh machine needs: `make build`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1

.PHONY: build site pdf check test test-fast serve validate bench system-deps clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

system-deps:  ## install the Debian packages (Noto and DejaVu fonts, poppler, Chromium) when missing
	@sh scripts/system-deps.sh

validate: $(STAMP)  ## check every measure file
	$(BIN)/cpkb validate

build: system-deps $(STAMP)  ## validate, then build site/ (both languages, search, downloads, PDFs)
	$(BIN)/cpkb build  # validates first and stops with every error, like cpkb validate

site: system-deps $(STAMP)  ## like build, without the PDFs (quicker)
	$(BIN)/cpkb build --no-pdf

pdf: system-deps $(STAMP)  ## only the PDF handbooks, into site/downloads/
	$(BIN)/cpkb pdf

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

check: $(STAMP)  ## static checks: the import layers (import-linter), types (mypy), lint and format (ruff)
	PYTHONPATH=scripts $(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests  # `ruff format scripts tests` fixes it

test: system-deps $(STAMP) node_modules/.package-lock.json check  ## static checks, then the whole test suite: unit, real builds, PDFs, Chromium, axe-core
	$(BIN)/python -m pytest --numprocesses=auto --dist=loadfile --durations=15  # one worker per core, a test file per worker at a time

test-fast: $(STAMP)  ## tests that need no build or browser
	$(BIN)/python -m pytest -m "not build and not browser"

serve: system-deps $(STAMP)  ## live preview at http://127.0.0.1:8000 (search needs make build)
	$(BIN)/mkdocs serve

bench: system-deps $(STAMP)  ## benchmarks at 100, 1,000 and 10,000 measures; writes benchmarks/results.json (the benchmark page)
	$(BIN)/cpkb bench

clean:  ## remove build output and generated pages (not the venv)
	rm -rf site .site-build-* .site-old-* docs/measures docs/sectors docs/handbook docs/assets/fonts \
	  docs/downloads.*.md docs/guides/field-reference.*.md docs/guides/translations.*.md docs/guides/benchmarks.*.md
