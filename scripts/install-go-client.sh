#!/usr/bin/env bash
# Builds tests/clients/go/franzprobe (franz-go, pinned with its go.sum) into the ignored
# folder .cache/go/bin/franzprobe, for tests/clients/test_franz_go.py. Modules come from
# the Go module proxy into .cache/go/mod, never into ~/go. Idempotent: a binary built from
# the same sources is kept, so the test may call this lazily. Needs the go toolchain
# (on this machine in /usr/local/go).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/tests/clients/go/franzprobe"
cache="$here/.cache/go"
bin="$cache/bin/franzprobe"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "install-go-client: go not found (install Go 1.26 or later)" >&2; exit 1; }

sum="$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -d' ' -f1)"
if [ -x "$bin" ] && [ "$(cat "$bin.sha256" 2>/dev/null)" = "$sum" ]; then
  exit 0
fi
mkdir -p "$cache/bin"
echo "install-go-client: building $src (modules from the Go module proxy into $cache/mod)"
# readonly: go.sum pins every module; local: never fetch another toolchain.
(cd "$src" && GOMODCACHE="$cache/mod" GOCACHE="$cache/build" GOPATH="$cache" \
   GOFLAGS="-mod=readonly -modcacherw" GOTOOLCHAIN=local go build -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
echo "$sum" > "$bin.sha256"
echo "franz-go probe is $bin"
