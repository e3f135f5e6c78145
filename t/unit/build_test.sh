#!/usr/bin/env bash
# Builds and runs a self-contained unit test, t/unit/NAME_test.c: one that
# includes what it tests and needs neither nginx headers nor libraries
# (ldap_escape: the directory escaping of ngx_http_portfolio_ldap_escape.c;
# peek: pf_peek of plugins/common/pf_peek.h).  build_json_test.sh builds
# the one that needs nginx's headers.
# Usage: t/unit/build_test.sh NAME [--valgrind]
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

NAME=${1:?usage: build_test.sh NAME [--valgrind]}
OUT=$BUILD/unit
mkdir -p "$OUT"

# nginx's warning flags; -O1 too, since some warnings need optimisation
cc -W -Wall -Wpointer-arith -Wno-unused-parameter -Werror -g -O1 \
    -I"$ROOT/ngx_portfolio_module" -o "$OUT/${NAME}_test" \
    "$ROOT/t/unit/${NAME}_test.c"

if [ "${2:-}" = --valgrind ]; then
    exec valgrind --error-exitcode=99 --leak-check=full "$OUT/${NAME}_test"
fi
exec "$OUT/${NAME}_test"
