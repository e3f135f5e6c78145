-- Uploads of BK_SIZE bytes, every body different (a stored file is kept
-- once: the same body twice would skip the write).  BK_MODE:
--   api      PUT /api/outcomes/{id}/document, lines "token id" of BK_ITEMS
--   put      PUT /ceiling/put/...  (nginx's dav module: body to a new file,
--            as every upload is a new file in the blob store)
package.path = os.getenv("BK_LUA") .. "/?.lua;" .. package.path
local lib = require("lib")
local items, i, n = {}, 0, 0
local mode, filler

setup = lib.setup
done = lib.done

function init(args)
    mode = os.getenv("BK_MODE") or "api"
    local size = tonumber(os.getenv("BK_SIZE"))
    filler = string.rep("0123456789abcdef", math.ceil((size - 64) / 16)):sub(1, size - 64)
    if mode == "api" then
        for _, line in ipairs(lib.share(os.getenv("BK_ITEMS"))) do
            local tok, id = lib.split(line)
            items[#items + 1] = { tok = tok, path = "/api/outcomes/" .. id .. "/document?name=bench.pdf" }
        end
    end
end

function request()
    n = n + 1
    local head = string.format("%%PDF-1.4\n%% bench %d %d %d %d", os.time(), bk_tid, n, math.random(1e9))
    head = head .. string.rep(" ", 63 - #head) .. "\n"
    local body = head .. filler
    local h = { ["Content-Type"] = "application/pdf" }
    if mode == "api" then
        i = i % #items + 1
        h.Authorization = "Bearer " .. items[i].tok
        return wrk.format("PUT", items[i].path, h, body)
    end
    return wrk.format("PUT", string.format("/ceiling/put/t%d-%d.pdf", bk_tid, n), h, body)
end
