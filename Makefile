# Homeshore: `make run` serves the demo, `make test` runs the checks and the suite.
# Both set up everything they need (virtualenv, pinned requirements) on first use.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: run test setup migrate seed totp lint format worker beat clean

# The reference data file (common/refdata.py) too: built once, a few seconds, then kept.
setup: $(STAMP)
	$(BIN)/python manage.py refdata_build

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Homeshore needs Python 3.11, found " + sys.version.split()[0]'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv installs in seconds where pip takes half a minute; either gives the same pinned set.
	@if command -v uv >/dev/null 2>&1; then \
		uv pip install --quiet --python $(BIN)/python -r requirements.txt; \
	else \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt; \
	fi
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# A local stand-in for Twilio's REST API runs beside the server (campaigns.simulator): an
# agent's Call on an outbound campaign rings through it, and it plays the provider's side
# back through the signed webhooks. Stopped with the server.
TWILIO_STANDIN := 127.0.0.1:8010
TWILIO_STANDIN_SID := AC55555555555555555555555555555517

run: seed
	@$(BIN)/python manage.py simulate_calls --serve-twilio $(lastword $(subst :, ,$(TWILIO_STANDIN))) \
		--base-url http://127.0.0.1:8000 & standin=$$!; \
	trap 'kill $$standin 2>/dev/null' EXIT INT TERM; \
	TWILIO_ACCOUNT_SID=$(TWILIO_STANDIN_SID) TWILIO_API_BASE_URL=http://$(TWILIO_STANDIN) \
	TWILIO_PUBLIC_BASE_URL=http://127.0.0.1:8000 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest $(PYTEST_ARGS)

totp: setup
	@$(BIN)/python manage.py demo_totp

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# With CELERY_BROKER_URL set: the worker and the beat scheduler, one terminal each.
worker: setup
	$(BIN)/celery -A config worker --loglevel=INFO

beat: setup
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3* var staticfiles .pytest_cache .ruff_cache test-artifacts
