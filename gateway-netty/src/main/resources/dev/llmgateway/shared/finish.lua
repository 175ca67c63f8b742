-- An admitted request ended: frees its concurrency slot and charges the tokens it used.
-- KEYS: tokens window, concurrency slots, budget. ARGV: the slot id ('' when it held none), tokens used.
local now_ms, second = now()
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local tokens = tonumber(ARGV[2])
if tokens > 0 then
  window_total(KEYS[1], second)
  window_add(KEYS[1], second, tokens)
  budget_charge(KEYS[3], math.floor(second / 86400), tokens)
end
return 0
