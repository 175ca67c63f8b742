-- Shared by every script of the gateway's shared key limits (each script is this file followed by its own part).
-- Time is always Redis' own (TIME), so replicas' clocks do not matter.

local WINDOW = 60
local REFUSED = 4294967296 -- a refusal is limit * REFUSED + Retry-After seconds; 0 is admitted

-- Redis' clock: milliseconds and whole seconds since the epoch.
local function now()
  local t = redis.call('TIME')
  local seconds = tonumber(t[1])
  return seconds * 1000 + math.floor(tonumber(t[2]) / 1000), seconds
end

-- A sliding minute of per-second counts in one hash, as the gateway counts per replica: the field named by a second
-- holds that second's count, 'o' the oldest second the hash may still hold, 't' the total. Seconds that left the
-- minute are dropped here, at most 60 per call; a hash idle for longer than a minute is dropped whole.
local function window_total(key, second)
  local head = redis.call('HMGET', key, 'o', 't')
  if not head[1] then
    return 0
  end
  local oldest, total = tonumber(head[1]), tonumber(head[2]) or 0
  local first = second - WINDOW + 1
  if oldest >= first then
    return total
  end
  if first - oldest > WINDOW then
    redis.call('DEL', key)
    return 0
  end
  while oldest < first do
    local count = redis.call('HGET', key, oldest)
    if count then
      total = total - tonumber(count)
      redis.call('HDEL', key, oldest)
    end
    oldest = oldest + 1
  end
  redis.call('HSET', key, 'o', oldest, 't', total)
  return total
end

-- Adds to the current second; call window_total first, so that the hash holds only this minute.
local function window_add(key, second, amount)
  redis.call('HINCRBY', key, second, amount)
  redis.call('HINCRBY', key, 't', amount)
  redis.call('HSETNX', key, 'o', second)
  redis.call('EXPIRE', key, WINDOW + 1)
end

-- Whole seconds, at least 1, until the minute's total drops below limit as old seconds leave it.
local function window_wait(key, second, limit)
  local total = window_total(key, second)
  for s = second - WINDOW + 1, second do
    local count = redis.call('HGET', key, s)
    if count then
      total = total - tonumber(count)
      if total < limit then
        return math.max(1, s + WINDOW - second)
      end
    end
  end
  return WINDOW
end

-- Days since 1970-01-01 to the UTC calendar's year and month (H. Hinnant's civil_from_days), and back.
local function civil(days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local month = mp < 10 and mp + 3 or mp - 9
  local year = yoe + era * 400
  if month <= 2 then
    year = year + 1
  end
  return year, month
end

local function days_from_civil(year, month, day)
  if month <= 2 then
    year = year - 1
  end
  local era = math.floor(year / 400)
  local yoe = year - era * 400
  local mp = month > 2 and month - 3 or month + 9
  local doy = math.floor((153 * mp + 2) / 5) + day - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

-- Months since January 1970, as the gateway numbers them per replica.
local function month_number(days)
  local year, month = civil(days)
  return (year - 1970) * 12 + month - 1
end

-- A key's budget hash: 'd' the day (days since 1970), 'du' the tokens used that day; 'm' the month, 'mu' its tokens.
-- Both are counted whatever the key's period, so a reload that changes budget_period applies to what was used.
local function budget_used(key, monthly, day)
  local period, used
  if monthly then
    period, used = unpack(redis.call('HMGET', key, 'm', 'mu'))
    return (period and tonumber(period) == month_number(day)) and tonumber(used) or 0
  end
  period, used = unpack(redis.call('HMGET', key, 'd', 'du'))
  return (period and tonumber(period) == day) and tonumber(used) or 0
end

local function budget_charge(key, day, amount)
  local month = month_number(day)
  local d, du, m, mu = unpack(redis.call('HMGET', key, 'd', 'du', 'm', 'mu'))
  du = (d and tonumber(d) == day) and tonumber(du) + amount or amount
  mu = (m and tonumber(m) == month) and tonumber(mu) + amount or amount
  redis.call('HSET', key, 'd', day, 'du', du, 'm', month, 'mu', mu)
  redis.call('EXPIRE', key, 40 * 86400)
end

-- Whole seconds, at least 1, from now_ms until the next UTC day or month begins.
local function seconds_to_next_period(monthly, now_ms)
  local day = math.floor(now_ms / 86400000)
  local next_day = day + 1
  if monthly then
    local year, month = civil(day)
    if month == 12 then
      year, month = year + 1, 1
    else
      month = month + 1
    end
    next_day = days_from_civil(year, month, 1)
  end
  return math.max(1, math.ceil((next_day * 86400000 - now_ms) / 1000))
end


-- USD budgets (picodollars, integers). A budget's spend hash holds a field per period bucket (a UTC day, a UTC month,
-- or a slice of a rolling window, numbered as the gateway numbers them per replica) with the spend settled in it,
-- and 'r', the picodollars its reservations hold; its reservations are a sorted set of 'id:picos' scored by when
-- the reservation's lease ends. Amounts are added with HINCRBY from their decimal text, so the totals stay exact
-- 64-bit integers; only comparisons go through Lua's doubles.
local ROLLING_BUCKETS = 32

-- The bucket now_ms falls in and how many buckets the budget counts; period is 'd', 'm', or a rolling window's
-- bucket length in milliseconds.
local function usd_bucket(period, now_ms)
  if period == 'd' then
    return math.floor(now_ms / 86400000), 1
  elseif period == 'm' then
    return month_number(math.floor(now_ms / 86400000)), 1
  end
  return math.floor(now_ms / tonumber(period)), ROLLING_BUCKETS
end

-- Gives back the reservations whose lease ended (their replica died, or lost Redis, holding them).
local function usd_expire(spend, held, now_ms)
  local expired = redis.call('ZRANGEBYSCORE', held, '-inf', now_ms)
  for _, member in ipairs(expired) do
    redis.call('HINCRBY', spend, 'r', '-' .. string.match(member, ':(%d+)$'))
  end
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', held, '-inf', now_ms)
  end
end
