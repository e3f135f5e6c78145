-- Shared by the bench's wrk scripts: each thread's share of an input
-- file, a monotonic clock for pacing, and one result line per run.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bk_timespec_t;
int clock_gettime(int clock, bk_timespec_t *ts);
]]

local M = {}
local ts = ffi.new("bk_timespec_t")
local threads = 0

function M.now_ms()
    ffi.C.clock_gettime(1, ts)    -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- setup() runs in the main state once per thread: number them.
function M.setup(thread)
    thread:set("bk_tid", threads)
    threads = threads + 1
end

function M.nthreads()
    return tonumber(os.getenv("BK_THREADS") or "1")
end

-- This thread's lines of a file (every nthreads-th, from its number).
function M.share(path)
    local out, n = {}, 0
    if not path or path == "" then return out end
    local fh = assert(io.open(path, "r"))
    for line in fh:lines() do
        if line ~= "" then
            if n % M.nthreads() == bk_tid then out[#out + 1] = line end
            n = n + 1
        end
    end
    fh:close()
    if #out == 0 then
        -- fewer lines than threads: every thread uses them all
        fh = assert(io.open(path, "r"))
        for line in fh:lines() do if line ~= "" then out[#out + 1] = line end end
        fh:close()
    end
    return out
end

function M.split(line)
    local a, b = line:match("^(%S+) (.*)$")
    return a, b
end

-- One machine-readable line: scripts/bench parses it.
function M.done(s, latency, requests)
    local secs = s.duration / 1e6
    local sockerr = s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout
    io.write(string.format(
        "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d bad_status=%d socket_errors=%d\n",
        s.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        s.requests, s.errors.status, sockerr))
end

-- Paced requests (rate per second over all threads), for delay().
function M.pacer(rate)
    if not rate or rate <= 0 then return nil end
    local interval = 1000 * M.nthreads() / rate
    local slot = 0
    return function()
        local now = M.now_ms()
        if slot < now then slot = now end
        slot = slot + interval
        return math.max(0, math.floor(slot - interval - now))
    end
end

return M
