-- wrk script: POSTs one GraphQL request over every connection and checks every answer.
-- A response counts as served only if its status is 200 and its body is exactly
-- {"data":<expected>} or {"data":<expected>,"extensions":{...}} with no "errors"
-- (trailing whitespace allowed);
-- anything else (another status, a GraphQL error, a wrong or partial answer) is an error.
--
-- Environment: BENCH_BODY_FILE (request body), BENCH_EXPECT_FILE (the expected "data"
-- value as JSON text), BENCH_HEADERS_FILE (optional, "name: value" lines).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  wrk.method = "POST"
  wrk.body = slurp(os.getenv("BENCH_BODY_FILE"))
  wrk.headers["Content-Type"] = "application/json"
  local headers = os.getenv("BENCH_HEADERS_FILE")
  if headers and headers ~= "" then
    for line in io.lines(headers) do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name then wrk.headers[name] = value end
    end
  end
  prefix = '{"data":' .. slurp(os.getenv("BENCH_EXPECT_FILE"))
  local req = wrk.format()
  request = function()
    sent = sent + 1
    return req
  end
  sent = 0
  good = 0
  bad_status = 0
  bad_body = 0
  sample = ""
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
    if sample == "" then sample = "HTTP " .. status .. " " .. body:sub(1, 300) end
    return
  end
  if body:sub(1, #prefix) == prefix then
    -- Apollo Server ends its JSON with a newline; trailing whitespace is not an answer.
    local rest = (body:sub(#prefix + 1):gsub("%s+$", ""))
    if rest == "}" or (rest:sub(1, 14) == ',"extensions":' and not rest:find('"errors"', 1, true)) then
      good = good + 1
      return
    end
  end
  bad_body = bad_body + 1
  if sample == "" then sample = body:sub(1, 300) end
end

function done(summary, latency, requests)
  local g, bs, bb, s, n = 0, 0, 0, "", 0
  for _, t in ipairs(threads) do
    n = n + t:get("sent")
    g = g + t:get("good")
    bs = bs + t:get("bad_status")
    bb = bb + t:get("bad_body")
    if s == "" then s = t:get("sample") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"sent":%d,"requests":%d,"durationUs":%d,"good":%d,"badStatus":%d,"badBody":%d,' ..
    '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,' ..
    '"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    n, summary.requests, summary.duration, g, bs, bb,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  io.write("BENCH_SAMPLE " .. s:gsub("[\r\n]", " ") .. "\n")
end
