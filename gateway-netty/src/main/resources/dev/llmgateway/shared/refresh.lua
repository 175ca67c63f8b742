-- Extends the leases of slots still held by requests in flight (long streams); a slot that already expired (its
-- replica could not refresh it in time) is not brought back.
-- KEYS: concurrency slots. ARGV: the lease in milliseconds, then the slot ids.
local now_ms = now()
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now_ms + lease, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], lease)
return 0
