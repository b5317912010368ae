-- wrk script: POST one new appeal per request, each with its own external id and text, so every
-- request is a new order (no repeat). Each also carries its own place (coordinates about a
-- kilometre from any other request of the run: BENCH_PLACE_OFFSET keeps phases apart), so that
-- intake's near-duplicate check (并单) runs in full for every appeal and finds nothing to merge:
-- every appeal goes on to be routed and dispatched. BENCH_TAG keeps runs apart.
local tag = os.getenv("BENCH_TAG") or "w"
local offset = tonumber(os.getenv("BENCH_PLACE_OFFSET") or "0")
local counter = 0
local texts = {
  "小区从早上开始停水，一直没有通知什么时候来水。",
  "楼上邻居半夜吵闹，沟通无果，请社区调解。",
  "公司拖欠工资两个月，老板不接电话。",
  "路口红绿灯坏了，早高峰很乱。",
  "楼下烧烤店的油烟直排进居民楼，窗户都不敢开，请城管处理。",
  "超市卖过期食品，要求处理。",
}
local headers = { ["Content-Type"] = "application/json" }

request = function()
  counter = counter + 1
  local place = offset + counter
  local body = string.format(
    '{"channel":"web","text":"%s（编号%s-%d）","address":"城关镇","external_id":"%s-%d",' ..
    '"location":{"lat":%.2f,"long":%.2f}}',
    texts[counter % #texts + 1], tag, counter, tag, counter,
    20 + (place % 2000) * 0.01, 100 + (math.floor(place / 2000) % 1000) * 0.01)
  return wrk.format("POST", "/v1/appeals", headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d status_errors=%d socket_errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
