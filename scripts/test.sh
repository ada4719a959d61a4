#!/usr/bin/env bash
# Installs everything vigil's tests need on a fresh Debian/Ubuntu host and
# runs them all, kernel tests included. Run as root (the tests load eBPF
# programs and start runc containers).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "scripts/test.sh: run as root (eBPF and runc need it)" >&2
  exit 1
fi
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo /root/go)/bin"

need=()
for pkg in runc busybox-static clang llvm libbpf-dev bpftool protobuf-compiler; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v mailpit >/dev/null; then
  GOBIN=/usr/local/bin go install github.com/axllent/mailpit@v1.33.1
fi

echo "== gofmt, go vet, staticcheck"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '_bpfel.go$') 2>/dev/null || true)
if [[ -n $unformatted ]]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi
go vet ./...
go tool staticcheck ./...

echo "== generated code matches its sources"
scripts/check-generated.sh

echo "== tests (kernel tests required)"
export VIGIL_TEST_KERNEL=1
go test -count=1 -timeout 30m ./...
