#!/usr/bin/env bash
# Builds and runs the unit test of the stored-record peek (pf_peek)
# in plugins/common/pf_common.h.  Needs no nginx headers.
# Usage: t/unit/build_peek_test.sh [--valgrind]
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

OUT=$BUILD/unit
mkdir -p "$OUT"

# nginx's warning flags; -O1 too, since some warnings need optimisation
cc -W -Wall -Wpointer-arith -Wno-unused-parameter -Werror -g -O1 \
    -I"$ROOT/ngx_portfolio_module" -o "$OUT/peek_test" \
    "$ROOT/t/unit/peek_test.c"

if [ "${1:-}" = --valgrind ]; then
    exec valgrind --error-exitcode=99 --leak-check=full "$OUT/peek_test"
fi
exec "$OUT/peek_test"
