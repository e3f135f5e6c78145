-- Selection tick and untick (P6): lines "token outcome-id" of BK_ITEMS;
-- each outcome is ticked, then unticked the next time round.
package.path = os.getenv("BK_LUA") .. "/?.lua;" .. package.path
local lib = require("lib")
local items, i = {}, 0

setup = lib.setup
done = lib.done

function init(args)
    for _, line in ipairs(lib.share(os.getenv("BK_ITEMS"))) do
        local tok, id = lib.split(line)
        local path = "/api/outcomes/" .. id .. "/selection"
        items[#items + 1] = {
            on = false,
            post = wrk.format("POST", path, { Authorization = "Bearer " .. tok,
                              ["Content-Type"] = "application/json" }, "{}"),
            del = wrk.format("DELETE", path, { Authorization = "Bearer " .. tok }),
        }
    end
end

function request()
    i = i % #items + 1
    local it = items[i]
    it.on = not it.on
    return it.on and it.post or it.del
end
