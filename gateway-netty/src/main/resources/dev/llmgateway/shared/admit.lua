-- Admits one request of a gateway key or says which limit refuses it, checking and taking in one step.
-- KEYS: requests window, tokens window, concurrency slots (sorted set: slot id scored by its expiry), budget.
-- ARGV: requests_per_minute, tokens_per_minute, max_concurrent, token_budget (0: no limit), '1' for a monthly
-- budget, the slot id, the slot's lease in milliseconds.
-- Returns 0 when admitted, else limit * REFUSED + Retry-After seconds, limit being 1 token budget, 2 tokens per
-- minute, 3 concurrency, 4 requests per minute (the order the gateway checks them in, per replica too).
local rpm, tpm, max_concurrent, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now_ms, second = now()
local monthly = ARGV[5] == '1'
if budget > 0 and budget_used(KEYS[4], monthly, math.floor(second / 86400)) >= budget then
  return 1 * REFUSED + seconds_to_next_period(monthly, now_ms)
end
if tpm > 0 and window_total(KEYS[2], second) >= tpm then
  return 2 * REFUSED + window_wait(KEYS[2], second, tpm)
end
if max_concurrent > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now_ms)
  if redis.call('ZCARD', KEYS[3]) >= max_concurrent then
    return 3 * REFUSED + 1
  end
end
local requests = window_total(KEYS[1], second)
if rpm > 0 and requests >= rpm then
  return 4 * REFUSED + window_wait(KEYS[1], second, rpm)
end
window_add(KEYS[1], second, 1)
if max_concurrent > 0 then
  local lease = tonumber(ARGV[7])
  redis.call('ZADD', KEYS[3], now_ms + lease, ARGV[6])
  redis.call('PEXPIRE', KEYS[3], lease)
end
return 0
