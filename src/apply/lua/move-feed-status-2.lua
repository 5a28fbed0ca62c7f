--[[
  Moves a feed record from one status to another only if it is still in the first: a feed is either started by
  the watcher or cancelled by its merchant, never both.
  Input:
    KEYS[1] the feed record (hash)   KEYS[2] the feed's report (string)
    ARGV[1] the status it must have   ARGV[2] the new status
    ARGV[3] a report (JSON) to store with the move, or ""
    ARGV[4..] field, value pairs to set with the move (dates)
  Output: the status before, "" when there is no such feed; nothing is written unless it was ARGV[1].
]]
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return '' end
if current ~= ARGV[1] then return current end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
return current
