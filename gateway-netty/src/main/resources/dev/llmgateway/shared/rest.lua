-- An upstream key rests (the provider answered 429): remembers until when, and tells every replica.
-- KEYS: the rests hash (field 'provider keyid', value: rest end in Redis milliseconds). ARGV: the field, the rest in
-- milliseconds, the channel to publish on.
local now_ms = now()
local rest = tonumber(ARGV[2])
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if now_ms + rest > current then
  redis.call('HSET', KEYS[1], ARGV[1], now_ms + rest)
  if redis.call('PTTL', KEYS[1]) < rest then
    redis.call('PEXPIRE', KEYS[1], rest)
  end
  redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' ' .. rest)
end
return 0
