--[[
  MWS throttling for one merchant and one operation: a leaky bucket (up to ARGV[1] requests at once, one
  restored every ARGV[2] ms) and an hourly quota (ARGV[3] requests per clock-independent hour window that
  starts with the first request). Time is Redis's own (TIME), so every server process shares one clock.
  Input:
    KEYS[1] the bucket (hash: tokens, at, hourStart, hourCount)
    ARGV[1] maximum quota   ARGV[2] restore interval in ms   ARGV[3] hourly quota
  Output: { allowed (1 | 0), hourly requests remaining, hour window end (epoch ms), refusal ("" | "rate" | "hour") }
]]
local max = tonumber(ARGV[1])
local restore_ms = tonumber(ARGV[2])
local hourly = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'hourStart', 'hourCount')
local tokens = tonumber(state[1]) or max
local at = tonumber(state[2]) or now
local hour_start = tonumber(state[3]) or now
local hour_count = tonumber(state[4]) or 0

-- Restore whole tokens for the time passed, keeping the remainder's start so no fraction is lost.
local restored = math.floor((now - at) / restore_ms)
if restored > 0 then
  tokens = math.min(max, tokens + restored)
  at = tokens == max and now or at + restored * restore_ms
end
if now - hour_start >= 3600000 then
  hour_start = now
  hour_count = 0
end

local refusal = ''
if hour_count >= hourly then
  refusal = 'hour'
elseif tokens < 1 then
  refusal = 'rate'
else
  tokens = tokens - 1
  hour_count = hour_count + 1
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at, 'hourStart', hour_start, 'hourCount', hour_count)
redis.call('PEXPIRE', KEYS[1], 3600000 + max * restore_ms)
return { refusal == '' and 1 or 0, hourly - hour_count, hour_start + 3600000, refusal }
