-- Certification decisions (P5): lines "token outcome-id" of BK_ITEMS, the
-- teacher's pending outcomes; pass and fail alternate (never published,
-- so the outcome stays pending and may be decided again).
package.path = os.getenv("BK_LUA") .. "/?.lua;" .. package.path
local lib = require("lib")
local items, i = {}, 0

setup = lib.setup
done = lib.done

function init(args)
    for _, line in ipairs(lib.share(os.getenv("BK_ITEMS"))) do
        local tok, id = lib.split(line)
        local path = "/api/outcomes/" .. id .. "/decision"
        local h = { Authorization = "Bearer " .. tok, ["Content-Type"] = "application/json" }
        items[#items + 1] = {
            n = 0,
            pass = wrk.format("POST", path, h, '{"result":"pass","note":"實驗步驟完整"}'),
            fail = wrk.format("POST", path, h, '{"result":"fail","note":"請補上數據分析"}'),
        }
    end
end

function request()
    i = i % #items + 1
    local it = items[i]
    it.n = it.n + 1
    return (it.n % 2 == 1) and it.pass or it.fail
end
