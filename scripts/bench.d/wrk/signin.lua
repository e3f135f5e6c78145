-- Sign-ins: lines "username password" of BK_ITEMS, POST /api/session.
-- BK_RATE (requests/s over all threads) paces them; unset: as fast as
-- the server answers.
package.path = os.getenv("BK_LUA") .. "/?.lua;" .. package.path
local lib = require("lib")
local reqs, i = {}, 0
local pace

setup = lib.setup
done = lib.done

function init(args)
    for _, line in ipairs(lib.share(os.getenv("BK_ITEMS"))) do
        local user, pw = lib.split(line)
        reqs[#reqs + 1] = wrk.format("POST", "/api/session", { ["Content-Type"] = "application/json" },
                                     string.format('{"username":"%s","password":"%s"}', user, pw))
    end
    pace = lib.pacer(tonumber(os.getenv("BK_RATE") or "0"))
end

function delay()
    return pace and pace() or 0
end

function request()
    i = i % #reqs + 1
    return reqs[i]
end
