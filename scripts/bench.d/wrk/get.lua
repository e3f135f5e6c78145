-- GET BK_PATH, each request with the next bearer token of BK_TOKENS (if
-- set); BK_RATE (requests/s over all threads) paces them.
package.path = os.getenv("BK_LUA") .. "/?.lua;" .. package.path
local lib = require("lib")
local reqs, i = {}, 0

setup = lib.setup
done = lib.done

function init(args)
    local path = os.getenv("BK_PATH")
    for _, t in ipairs(lib.share(os.getenv("BK_TOKENS"))) do
        reqs[#reqs + 1] = wrk.format("GET", path, { Authorization = "Bearer " .. t })
    end
    if #reqs == 0 then reqs[1] = wrk.format("GET", path) end
end

local rate = tonumber(os.getenv("BK_RATE") or "0")
if rate > 0 then
    local pace = lib.pacer(rate)
    function delay()
        return pace()
    end
end

function request()
    i = i % #reqs + 1
    return reqs[i]
end
