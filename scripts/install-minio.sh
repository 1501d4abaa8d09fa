#!/usr/bin/env bash
# Builds the MinIO server, pinned below, from the Go module proxy into the ignored
# folder .cache/minio/bin/minio, for the S3 tests that run against MinIO as well as
# s3rver (tests/lake/minio_server.py). MinIO is the S3 server the seed systems run.
# It is AGPL-3.0: the tests only start it as a separate process on 127.0.0.1; nothing
# of it is linked into sluice or shipped with it.
#
# Modules and Go's build cache live in the user's cache folder, as CI's ccache does,
# so a machine compiles MinIO once; a fresh machine downloads and builds it (a few
# minutes on 2 cores). Idempotent: a binary stamped with the pinned version is kept.
# Needs the go toolchain (on this machine in /usr/local/go).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# The proxy serves MinIO only as pseudo-versions of its main branch (its releases are
# RELEASE.* tags, not semver); this is the newest it served on 2026-12-08.
version="v0.0.0-20260212201848-7aac2a2c5b7c"
bin_dir="$here/.cache/minio/bin"
bin="$bin_dir/minio"
go_cache="${XDG_CACHE_HOME:-$HOME/.cache}/sluice-go"
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "install-minio: go not found (install Go 1.24 or later)" >&2; exit 1; }

if [ -x "$bin" ] && [ "$(cat "$bin.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
mkdir -p "$bin_dir" "$go_cache"
echo "install-minio: building github.com/minio/minio@$version (modules and build cache in $go_cache)"
# local: build with this machine's Go, never fetch another toolchain.
GOBIN="$bin_dir" GOMODCACHE="$go_cache/mod" GOCACHE="$go_cache/build" GOPATH="$go_cache" \
  GOFLAGS="-modcacherw" GOTOOLCHAIN=local \
  go install -trimpath "github.com/minio/minio@$version"
echo "$version" >"$bin.version"
echo "minio is $bin"
