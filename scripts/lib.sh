# Shared by the scripts: paths and the package installer.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${PF_BUILD:-$ROOT/build}
NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}

# Debian packages the project needs, by purpose.
PF_PKGS_BUILD="build-essential nginx nginx-dev liblmdb-dev lmdb-utils libyajl-dev libldap2-dev libcurl4-openssl-dev libssl-dev"
PF_PKGS_RUN="nginx lmdb-utils curl ca-certificates"
# scripts/bench (and t/160-bench.t, which runs it once on the small set)
PF_PKGS_BENCH="wrk"
PF_PKGS_TEST="perl openssl slapd ldap-utils libtest-base-perl libtext-diff-perl libtest-longstring-perl libwww-perl liburi-perl liblist-moreutils-perl libipc-run-perl libjson-pp-perl chromium fonts-wqy-microhei"
# Node.js for the browser tests (t/browser), installed only when no node is
# there: a NodeSource nodejs carries its own npm and conflicts with Debian's.
PF_PKGS_NODE="nodejs npm"

# pf_install PKG...: installs what is missing, with apt, as root.
pf_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "need root to install packages (run as root or install: ${missing[*]})" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # the package lists may be missing or stale on a fresh machine
    apt-get update -qq || apt-get update
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
