#!/usr/bin/env bash
# Builds and runs the unit test of the directory escaping (RFC 4515/4514)
# in ngx_http_portfolio_ldap.c.  Needs neither nginx headers nor libldap.
# Usage: t/unit/build_ldap_escape_test.sh [--valgrind]
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

OUT=$BUILD/unit
mkdir -p "$OUT"

# nginx's warning flags; -O1 too, since some warnings need optimisation
cc -W -Wall -Wpointer-arith -Wno-unused-parameter -Werror -g -O1 \
    -I"$ROOT/ngx_portfolio_module" -o "$OUT/ldap_escape_test" \
    "$ROOT/t/unit/ldap_escape_test.c"

if [ "${1:-}" = --valgrind ]; then
    exec valgrind --error-exitcode=99 --leak-check=full "$OUT/ldap_escape_test"
fi
exec "$OUT/ldap_escape_test"
