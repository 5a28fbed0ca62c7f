--[[
  Records that one message of a feed could not be applied because its rule raised an error (a poison
  message: e.g. an order hash damaged in Redis), so that it is reported with an error and its partition and
  its feed go on instead of failing the job again and again.
  Input:
    KEYS[1] the feed's applied hash
    ARGV[1] the message key   ARGV[2] what failed (one line, without "|")
  Output: the message's outcome: the one already stored when there is one (another worker applied it
    meanwhile: it stays applied), "closed" when the feed is finished, else "-12|<what failed>", stored under
    the message key like any outcome, so that a job run again reports the same. Idempotent.
]]
if redis.call('HEXISTS', KEYS[1], '~closed') == 1 then return 'closed' end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then return stored end
local outcome = '-12|' .. ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], outcome)
return outcome
