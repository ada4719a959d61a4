#!/usr/bin/env bash
# Regenerates the committed eBPF objects and protobuf code and fails when
# they differ from what is committed (the sources changed without
# regeneration, or the other way round).
set -euo pipefail
cd "$(dirname "$0")/.."
go generate ./internal/sensor/... ./internal/wire/...
if ! git diff --quiet -- internal/sensor internal/wire; then
  echo "generated files differ from the committed ones; run go generate and commit:" >&2
  git diff --stat -- internal/sensor internal/wire >&2
  exit 1
fi
