#!/usr/bin/env bash
# Builds vigil and runs `vigil up` on its embedded defaults: detection
# service + local agent on this host. Extra arguments go to `vigil up`
# (e.g. --smtp 127.0.0.1:1025). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
go build -o bin/vigil ./cmd/vigil
exec bin/vigil up "$@"
