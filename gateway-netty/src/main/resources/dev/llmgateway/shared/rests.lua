-- The rests still running, for a replica that (re)subscribes: 'provider keyid', milliseconds left, and so on.
-- Ended rests are dropped on the way. KEYS: the rests hash.
local now_ms = now()
local all = redis.call('HGETALL', KEYS[1])
local running = {}
for i = 1, #all, 2 do
  local left = tonumber(all[i + 1]) - now_ms
  if left > 0 then
    running[#running + 1] = all[i]
    running[#running + 1] = tostring(left)
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return running
