-- Reserves a request's worst-case cost on every USD budget that covers it (its key's, its team's) or on none.
-- KEYS: per budget, its spend hash and its reservations (see common.lua).
-- ARGV: the reservation ('id:picos'), its picodollars, its lease in milliseconds; then per budget: its period ('d',
-- 'm' or a rolling window's bucket length in ms), its limit in picodollars, '1' when strict, the spend hash's time
-- to live in seconds.
-- Returns {0} when reserved, else {the refusing budget's number, Retry-After seconds, its spend, its reservations}.
local now_ms = now()
local member, picos, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local budgets = #KEYS / 2
for i = 1, budgets do
  local spend, held = KEYS[2 * i - 1], KEYS[2 * i]
  local period, limit, strict = ARGV[4 * i], tonumber(ARGV[4 * i + 1]), ARGV[4 * i + 2] == '1'
  usd_expire(spend, held, now_ms)
  local bucket, count = usd_bucket(period, now_ms)
  local first = bucket - count + 1
  local fields = redis.call('HGETALL', spend)
  local spent, reserved, by_bucket = 0, 0, {}
  for f = 1, #fields, 2 do
    local name, value = fields[f], tonumber(fields[f + 1])
    if name == 'r' then
      reserved = value
    elseif tonumber(name) < first then
      redis.call('HDEL', spend, name)
    else
      spent = spent + value
      by_bucket[tonumber(name)] = value
    end
  end
  if reserved ~= 0 and redis.call('ZCARD', held) == 0 then
    -- The hash outlived its reservations' set (or the other way round): nothing is held.
    redis.call('HDEL', spend, 'r')
    reserved = 0
  end
  local fits
  if strict then
    fits = spent + reserved + picos <= limit
  else
    fits = spent < limit
  end
  if not fits then
    local wait
    if period == 'd' or period == 'm' then
      wait = seconds_to_next_period(period == 'm', now_ms)
    else
      local allowed = limit - (strict and picos + reserved or 0)
      local bucket_ms = tonumber(period)
      local until_ms = count * bucket_ms
      local total = spent
      for b = first, bucket do
        total = total - (by_bucket[b] or 0)
        if allowed >= 0 and total <= allowed then
          -- bucket b leaves the window when bucket b + count begins
          until_ms = (b + count) * bucket_ms - now_ms
          break
        end
      end
      wait = math.max(1, math.ceil(until_ms / 1000))
    end
    return {i, wait, spent, reserved}
  end
end
for i = 1, budgets do
  local spend, held = KEYS[2 * i - 1], KEYS[2 * i]
  redis.call('HINCRBY', spend, 'r', ARGV[2])
  redis.call('EXPIRE', spend, ARGV[4 * i + 3])
  redis.call('ZADD', held, now_ms + lease, member)
  redis.call('PEXPIRE', held, lease)
end
return {0}
