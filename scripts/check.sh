#!/usr/bin/env bash
# Every check CI runs: lint, format, types, import layering, tests, docs. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1 NO_MKDOCS_2_WARNING=1
echo "== ruff";        ruff check .
echo "== ruff format"; ruff format --check .
echo "== mypy";        mypy
echo "== import-linter"; lint-imports
echo "== pytest";      pytest
echo "== mkdocs";      mkdocs build --strict --quiet --site-dir "$(mktemp -d)"
