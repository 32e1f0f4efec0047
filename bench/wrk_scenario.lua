-- wrk script: SCENARIO picks the request, N the id range. Prints one JSON line at the end.
local scenario = os.getenv("SCENARIO") or "get"
local n = tonumber(os.getenv("N") or "100000")
local token = os.getenv("TOKEN") or ""
-- The pages' scenarios (page_*) are signed in with a browser session cookie.
local session = os.getenv("SESSION") or ""
local words = {"kesehatan", "sosial", "contoh 12", "400.12/77", "koperasi", "pendidikan"}

math.randomseed(os.time())

request = function()
  local path
  if scenario == "get" then
    path = "/api/v1/agreements/" .. math.random(1, n)
  elseif scenario == "list_status" then
    path = "/api/v1/agreements?status=active&limit=50&offset=" .. math.random(0, 2000)
  elseif scenario == "list_q" then
    path = "/api/v1/agreements?limit=50&q=" .. words[math.random(1, #words)]:gsub(" ", "%%20")
  elseif scenario == "list_institution" then
    path = "/api/v1/agreements?limit=50&institution=" .. math.random(1, 1100)
  elseif scenario == "dashboard" then
    path = "/api/v1/dashboard"
  elseif scenario == "patch" then
    -- An audited write: the agreement is read before and after, in the
    -- write's own transaction, with its audit row.
    local id = math.random(1, n)
    return wrk.format("PATCH", "/api/v1/agreements/" .. id, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
    }, '{"title":"Perjanjian Kerja Sama uji beban ' .. math.random(1, 1000000) .. '"}')
  elseif scenario:sub(1, 5) == "page_" then
    if scenario == "page_home" then
      path = "/"
    elseif scenario == "page_list" then
      path = "/perjanjian?status=active&halaman=" .. math.random(1, 80)
    elseif scenario == "page_portal" then
      path = "/portal"
    elseif scenario == "page_list_q" then
      path = "/perjanjian?q=" .. words[math.random(1, #words)]:gsub(" ", "%%20")
    else
      path = "/perjanjian/" .. math.random(1, n)
    end
    return wrk.format("GET", path, {["Cookie"] = "sepakat_sesi=" .. session, ["Accept-Encoding"] = "gzip"})
  else
    path = "/healthz"
  end
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"scenario":"%s","requests":%d,"errors":%d,"rps":%.0f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    scenario, summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
