#!/usr/bin/env bash
# npm test: type-check, then the ava suite with every temporary file of the
# run (temporary projects, stores, images) under one folder that is removed
# afterwards, whatever the tests leave behind; the suite's exit status is kept.
set -uo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p . || exit 1
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/exo-test-run-XXXXXX")"
# Sticky and world-writable like /tmp: tests also run as an unprivileged user.
chmod 1777 "$run_tmp"
TMPDIR="$run_tmp" npx ava "$@"
status=$?
rm -rf "$run_tmp"
exit "$status"
