-- wrk script of scripts/bench --load-tool wrk: POSTs the harness's chat request with its headers, and at the end
-- writes wrk's totals and its whole latency distribution (µs) to a file the harness reads.
-- By hand: WRK_BODY_FILE=request.json WRK_API_KEY=<gateway key> WRK_RESULT_FILE=wrk.out \
--   wrk -t1 -c64 -d30s --latency -s wrk-chat.lua http://127.0.0.1:8080/v1/chat/completions
-- (WRK_RESULT_FILE is optional: without it only wrk's own report is printed.)

local function slurp(path)
  local file = assert(io.open(path, "rb"), "cannot read WRK_BODY_FILE " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("WRK_BODY_FILE"))
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("WRK_API_KEY") or "")
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local path = os.getenv("WRK_RESULT_FILE")
  if not path then
    return
  end
  local out = assert(io.open(path, "w"))
  local e = summary.errors
  -- Line 1: responses, µs elapsed, then the error counts; each line after: a latency in µs and how many had it.
  out:write(string.format("%d %d %d %d %d %d %d\n", summary.requests, summary.duration, e.status, e.connect,
    e.read, e.write, e.timeout))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format("%d %d\n", value, count))
  end
  out:close()
end
