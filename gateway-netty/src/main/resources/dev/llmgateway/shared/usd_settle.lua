-- A request that reserved on USD budgets ended: its reservation is replaced by what it really cost ('0' when
-- cancelled). A reservation whose lease already ended is not given back twice; the cost is counted either way.
-- KEYS: per budget, its spend hash and its reservations (see common.lua).
-- ARGV: the reservation ('id:picos'), its picodollars, the cost in picodollars; then per budget: its period (as in
-- usd_reserve.lua) and the spend hash's time to live in seconds.
local now_ms = now()
for i = 1, #KEYS / 2 do
  local spend, held = KEYS[2 * i - 1], KEYS[2 * i]
  usd_expire(spend, held, now_ms)
  if redis.call('ZREM', held, ARGV[1]) == 1 then
    redis.call('HINCRBY', spend, 'r', '-' .. ARGV[2])
  end
  if ARGV[3] ~= '0' then
    local bucket = usd_bucket(ARGV[2 * i + 2], now_ms)
    redis.call('HINCRBY', spend, bucket, ARGV[3])
    redis.call('EXPIRE', spend, ARGV[2 * i + 3])
  end
end
return 0
