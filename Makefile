# The two commands in the README. Each does its own setup on a fresh machine.
.PHONY: scan test lint

scan:
	@scripts/setup.sh
	.venv/bin/bpm scan flows/ --out site/

test:
	@scripts/setup.sh --test
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/pytest

lint:
	@scripts/setup.sh --test
	.venv/bin/ruff check .
	.venv/bin/mypy
