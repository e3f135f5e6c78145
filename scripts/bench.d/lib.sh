# Shared by scripts/seed and scripts/bench (sourced after scripts/lib.sh).

BENCHD=$ROOT/scripts/bench.d

# The module, the plugins (scripts/build) and the bench-only plugin.
bk_build() {
    PF_SKIP_INSTALL=1 "$ROOT/scripts/build" >/dev/null
    mkdir -p "$BUILD/bench"
    local out=$BUILD/bench/benchkit.so
    if [ ! -f "$out" ] || [ "$BENCHD/benchkit.c" -nt "$out" ] \
       || [ "$ROOT/ngx_portfolio_module/portfolio_plugin.h" -nt "$out" ] \
       || [ -n "$(find "$ROOT/plugins/common" -newer "$out")" ]; then
        # built as every plugin is, with the helper library
        cc -std=c99 -O2 -g -fPIC -shared -fvisibility=hidden \
            -Wall -Wextra -Wno-unused-parameter -Werror \
            -I"$ROOT/ngx_portfolio_module" -I"$ROOT/plugins/common" \
            -o "$out.new.$$" "$BENCHD/benchkit.c" "$ROOT"/plugins/common/*.c
        mv -f "$out.new.$$" "$out"    # by rename: a running nginx maps it
    fi
    out=$BUILD/bench/pages
    if [ ! -x "$out" ] || [ "$BENCHD/pages.c" -nt "$out" ]; then
        cc -std=c99 -O2 -Wall -Wextra -Werror -o "$out" "$BENCHD/pages.c"
    fi
}

# bk_conf DIR PORT GROUP_COMMIT [BOOTSTRAP]: DIR/run/nginx.conf for the
# data set in DIR (DIR/data), listening on 127.0.0.1:PORT.
bk_conf() {
    local dir=$1 port=$2 gc=$3 boot=${4:-} prefix=$1/run line=
    mkdir -p "$prefix"/{logs,tmp,static,put} "$dir"/{data,tmp/body}
    # a run logs millions of requests: keep only the last start's logs
    rm -f "$prefix/logs/access.log" "$prefix/logs/error.log"
    [ -n "$boot" ] && line="portfolio_bootstrap $boot;"
    sed -e "s|@ROOT@|$ROOT|g" -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" \
        -e "s|@BUILD@|$BUILD|g" -e "s|@DATA@|$dir/data|g" \
        -e "s|@GROUP_COMMIT@|$gc|g" -e "s|@BOOTSTRAP@|$line|g" \
        "$BENCHD/nginx.conf.in" > "$prefix/nginx.conf"
    # workers run as nobody: the temp and put directories are theirs
    chown -R nobody "$dir/tmp" "$prefix/put" "$prefix/tmp" 2>/dev/null || true
    chmod o+x "$dir" "$prefix" 2>/dev/null || true
}

BK_NGINX_PID=

# bk_start DIR PORT: starts nginx (master in the foreground of a
# background job) and waits until the API answers.
bk_start() {
    local dir=$1 port=$2
    # reuseport would let a stray server share the port unnoticed
    if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
        echo "something already listens on 127.0.0.1:$port" >&2
        return 1
    fi
    "$NGINX_BIN" -t -q -p "$dir/run" -c "$dir/run/nginx.conf"
    "$NGINX_BIN" -p "$dir/run" -c "$dir/run/nginx.conf" -g "daemon off;" \
        2>>"$dir/run/logs/stderr.log" &
    BK_NGINX_PID=$!
    local i
    for i in $(seq 600); do
        curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && return 0
        kill -0 "$BK_NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "nginx did not start; see $dir/run/logs/error.log" >&2
    tail -5 "$dir/run/logs/error.log" >&2 || true
    return 1
}

# bk_warm DIR: reads the data set's LMDB file into the page cache, so the
# workloads meet the page cache of a server that has been up for a while
# rather than the disk after a reboot; before every load, since this VM's
# host takes page cache back.  With read-ahead off, not dd (pages.c says
# why: dd's read-ahead halves the rate of durable writes).
bk_warm() {
    "$BUILD/bench/pages" read "$1/data/portfolio.mdb"
}

# bk_cold DIR: with no nginx on DIR, drops its LMDB file from the page
# cache and reads it back with read-ahead off, so pages that an earlier
# sequential read (the seed, a backup, dd) left in large folios do not
# decide the numbers.  The read is here, before nginx starts, and not left
# to the first load's bk_warm: the same reads into an empty cache while
# the workers map the file gave 2 MB folios once (not understood), into a
# cached one they leave 4 KB folios (checked with /proc/kpageflags).
bk_cold() {
    [ -f "$1/data/portfolio.mdb" ] || return 0
    "$BUILD/bench/pages" evict "$1/data/portfolio.mdb"
    bk_warm "$1"
}

# bk_snapshot DIR: with no nginx on DIR, keeps its database as seeded
# (DIR/seed.mdb) for bk_restore.
bk_snapshot() {
    cp --sparse=always "$1/data/portfolio.mdb" "$1/seed.mdb.new"
    "$BUILD/bench/pages" evict "$1/seed.mdb.new"
    mv -f "$1/seed.mdb.new" "$1/seed.mdb"
}

# bk_restore DIR: with no nginx on DIR, puts its database back as seeded,
# so every bench run starts from the same data: each run adds sessions
# and audit entries, and a larger audit tree makes every durable write
# dearer.  A data set seeded before there was a snapshot gets one now.
bk_restore() {
    if [ ! -f "$1/seed.mdb" ]; then
        echo "  no $1/seed.mdb: keeping the database as it is now for the next runs"
        bk_snapshot "$1"
        return 0
    fi
    cp --sparse=always "$1/seed.mdb" "$1/data/portfolio.mdb.new"
    chown --reference="$1/data" "$1/data/portfolio.mdb.new" 2>/dev/null || true
    chmod 600 "$1/data/portfolio.mdb.new"
    mv -f "$1/data/portfolio.mdb.new" "$1/data/portfolio.mdb"
    rm -f "$1/data/portfolio.mdb-lock"
    "$BUILD/bench/pages" evict "$1/seed.mdb"
}

# Stops the nginx bk_start started (graceful, then hard after 10 s).
bk_stop() {
    [ -n "$BK_NGINX_PID" ] || return 0
    kill -QUIT "$BK_NGINX_PID" 2>/dev/null || true
    local i
    for i in $(seq 100); do
        kill -0 "$BK_NGINX_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$BK_NGINX_PID" 2>/dev/null || true
    wait "$BK_NGINX_PID" 2>/dev/null || true
    BK_NGINX_PID=
}

# Worker pids of the nginx bk_start started.
bk_workers() {
    pgrep -P "$BK_NGINX_PID" 2>/dev/null || true
}

# Bytes of the database file actually on disk, and LMDB's used pages.
bk_db_size() {
    local f=$1/data/portfolio.mdb
    du -B1 --apparent-size "$f" | cut -f1
}
