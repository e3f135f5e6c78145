#!/usr/bin/env bash
# Builds and runs the unit test of ngx_http_portfolio_json.c, _json_value.c
# and _json_gen.c
# against the nginx headers of the configured build tree (scripts/build
# configures it).
# Usage: t/unit/build_json_test.sh [--valgrind]
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

SRC=$BUILD/nginx-src/src
if [ ! -f "$BUILD/objs/ngx_auto_config.h" ]; then
    echo "no configured nginx tree in $BUILD: run scripts/build first" >&2
    exit 1
fi

OUT=$BUILD/unit
mkdir -p "$OUT"

INCS=()
for d in core event event/modules os/unix http http/modules http/v2; do
    [ -d "$SRC/$d" ] && INCS+=("-I$SRC/$d")
done
INCS+=("-I$BUILD/objs" "-I$ROOT/ngx_portfolio_module")

# nginx's warning flags; -O1 too, since some warnings need optimisation
cc -W -Wall -Wpointer-arith -Wno-unused-parameter -Werror -g -O1 \
    "${INCS[@]}" -o "$OUT/json_test" \
    "$ROOT/t/unit/json_test.c" \
    "$ROOT/ngx_portfolio_module/ngx_http_portfolio_json.c" \
    "$ROOT/ngx_portfolio_module/ngx_http_portfolio_json_value.c" \
    "$ROOT/ngx_portfolio_module/ngx_http_portfolio_json_gen.c" \
    -lyajl

if [ "${1:-}" = --valgrind ]; then
    exec valgrind --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=all --errors-for-leak-kinds=all "$OUT/json_test"
fi
exec "$OUT/json_test"
