# Berichtenbox: `make demo` runs the pipeline once, `make test` runs every check.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(HOME)/.local/bin:$(PATH)
UV ?= uv

# Where the tests find infrastructure; override to point at other servers.
export BERICHTENBOX_TEST_RABBITMQ_URL ?= amqp://guest:guest@127.0.0.1:5672/
export BERICHTENBOX_TEST_RABBITMQ_MANAGEMENT_URL ?= http://guest:guest@127.0.0.1:15672
export BERICHTENBOX_TEST_MONGODB_URL ?= mongodb://127.0.0.1:27017

.DEFAULT_GOAL := help
.PHONY: representations help install up down status demo serve test test-repeat lint typecheck unit integration e2e chaos sample-letter bench-paper bench-queries asyncapi openapi screenshots bench-box bench

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

install: ## Install uv and Go if missing, then the Python environment from uv.lock
	@bash scripts/bootstrap.sh
	@$(UV) sync --frozen --quiet

up: install ## Install (once) and start RabbitMQ, FerretDB and the development identity provider on 127.0.0.1
	@bash scripts/infra.sh up

down: ## Stop RabbitMQ, FerretDB and the identity provider
	@bash scripts/infra.sh down

status: ## Report whether RabbitMQ, FerretDB and the identity provider run
	@bash scripts/infra.sh status

demo: up ## Run the five services on sample messages, print where each went, open one in the box
	@$(UV) run python -m scripts.demo

serve: up ## Everything running (five services, a population, messages): prints the box URL and test citizens
	@$(UV) run python -m scripts.serve

lint: install ## ruff (lint and format check)
	@$(UV) run ruff check .
	@$(UV) run ruff format --check .

typecheck: install ## mypy --strict
	@$(UV) run mypy .

unit: install ## Unit tests (no servers)
	@$(UV) run pytest -m unit -q

integration: up ## Integration tests against real RabbitMQ and FerretDB
	@$(UV) run pytest -m integration -q

e2e: up ## End-to-end tests: the five services as processes, the browser tests, the short fault run
	@$(UV) run pytest -m e2e -q

test: up lint typecheck ## Lint, type-check, then unit, integration and e2e tests against real servers
	@$(UV) run pytest -q

TESTS ?= tests/integration
REPEAT ?= 10
test-repeat: up ## Run TESTS (tests/integration) REPEAT times (10) in one session; lists every failure with its round
	@$(UV) run pytest -q -p no:randomly --count $(REPEAT) --repeat-scope session $(TESTS)

chaos: install ## Faults done to the services and to their own RabbitMQ, PostgreSQL and FerretDB; prints a table
	@$(UV) run pytest -m chaos tests/chaos -q -p no:logging $(CHAOS_ARGS)

sample-letter: install ## Regenerate docs/sample-letter.pdf and its first page as PNG
	@$(UV) run python -m scripts.sample_letter

representations: install ## Load the register of legal representations: make representations FILE=register.csv
	@$(UV) run python -m tools.representations $(FILE)

N ?= 300
bench-paper: up ## Letters per second: the paper service against bare typst (N letters)
	@$(UV) run python -m bench.paper -n $(N)

QUERIES ?= 3000
bench-queries: up ## CPU per short query of the database server: by _id, by an indexed field, a page of 20
	@$(UV) run python -m bench.queries --queries $(QUERIES)

asyncapi: install ## Regenerate docs/asyncapi/<service>.json from the code
	@$(UV) run python -m scripts.asyncapi

screenshots: up ## Regenerate docs/screenshots/*.png: the box's pages in Chromium (the browser test)
	@BERICHTENBOX_SCREENSHOTS=docs/screenshots $(UV) run pytest -q -p no:logging tests/e2e/test_box_browser.py tests/e2e/test_delegation_browser.py -k chromium

openapi: install ## Regenerate docs/openapi/box.json (the box API) from the code
	@$(UV) run python -m scripts.openapi

READERS ?= 500
RATE ?= 200
bench-box: up ## Citizens reading inboxes and opening messages: requests/s and p50/p95/p99 per page
	@$(UV) run python -m bench.box --accounts $(or $(BOX_ACCOUNTS),100000) --readers $(READERS) --rate $(RATE) --most $(or $(MOST),1000)

ACCOUNTS ?= 100000
bench: up ## Mass mailing through the whole pipeline vs the raw relay and bare typst (ACCOUNTS=100000)
	@$(UV) run python -m bench.pipeline --accounts $(ACCOUNTS)
