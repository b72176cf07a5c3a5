#!/usr/bin/env bash
# Regenerate the knowledge-benchmarks section of benchmarks/RESULTS.md: answer quality on the
# shared benchmarks, then load / memory / latency on synthetic stores of 1k, 10k and 100k claims.
# Extra arguments go to latency.py (e.g. --sizes 1000,10000 for a quick run).
# Other sections of RESULTS.md (e.g. handler throughput) are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" benchmarks/quality.py
"$PY" benchmarks/latency.py "$@"
