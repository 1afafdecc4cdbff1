# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: schema run test install migrate demo serve lint format worker search-engine search-engine-stop postgres bench relevance clean

$(STAMP): pyproject.toml constraints.txt
	@start=$$(date +%s); echo "== install: Python packages into $(VENV) (first time: about a minute)"; \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install --quiet --upgrade pip && \
	$(BIN)/python -m pip install --quiet --progress-bar on -c constraints.txt -e ".[dev]" && \
	touch $(STAMP) && echo "   installed in $$(( $$(date +%s) - start )) s"

install: $(STAMP)

migrate: install
	@mkdir -p var; start=$$(date +%s); echo "== migrate"; \
	applied=$$($(MANAGE) migrate --noinput | grep -c "Applying" || true); \
	echo "   $$applied migrations applied in $$(( $$(date +%s) - start )) s"

demo: migrate
	@start=$$(date +%s); echo "== demo data and search index (e-mails go to var/mail/)"; \
	LOG_LEVEL=WARNING $(MANAGE) load_demo_data && \
	echo "   loaded in $$(( $$(date +%s) - start )) s"

## make run: install, migrate, demo data, search index, serve on http://127.0.0.1:$(PORT)
run: demo
	@echo "== serve: admin http://127.0.0.1:$(PORT)/admin/   GraphQL http://127.0.0.1:$(PORT)/graphql/   health http://127.0.0.1:$(PORT)/health/"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

## make test: install and run the whole test suite (SQLite unless DATABASE_URL is set)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## background tasks (renewal reminders, notifications, index retries) in production
worker: install
	$(MANAGE) db_worker

search-engine:
	scripts/search-engine.sh start

search-engine-stop:
	scripts/search-engine.sh stop

postgres:
	scripts/postgres.sh start

## make bench: benchmarks (SIZE=small|medium|large) with the engine node and wrk;
## with DATABASE_URL set, on SQLite and on that PostgreSQL database in the same run
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk is missing (apt-get install wrk): the HTTP workload will be skipped"
	scripts/search-engine.sh start
	SEARCH_URL=$$(scripts/search-engine.sh url) $(BIN)/python -m bench $(if $(SIZE),--size $(SIZE),)

## make relevance: the judged relevance suite (database backend; the engine and its
## plain BM25 peer when a node answers); figures in bench/results/relevance-<date>.json
relevance: install
	$(BIN)/python -m tests.search.relevance $(RELEVANCE_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .import_linter_cache

## make schema: write the served GraphQL schema to schema.graphql (commit it)
schema: install
	$(MANAGE) graphql_schema --schema cms.api.schema.schema --out schema.graphql
