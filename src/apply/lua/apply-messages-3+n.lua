--[[
  Applies a batch of one feed's messages, in the given order, each all or nothing and exactly once.
  Input:
    KEYS[1] the merchant's stock hash   KEYS[2] the feed's applied hash   KEYS[3] the merchant's events stream
    KEYS[4..] the order and MerchantOrderID-mapping keys the messages name (all of the merchant: one slot)
    ARGV[1] feed id   ARGV[2] time (ISO 8601)
    ARGV[3] JSON array of messages: {k = message key, kind, o = KEYS index of the order, x = KEYS index of the
            mapping key (acknowledgements naming a MerchantOrderID), p = the command's payload}
  Output: the outcome of every message, in order (see lib/2…5 for the codes). Each message is all or nothing:
  a rule writes only after accepting the whole message, and its outcome is stored under its message key in
  KEYS[2] right after its writes, so even a script that fails part-way leaves every message either applied
  and marked or untouched. A message already stored returns its stored outcome and changes nothing again; a
  feed already finished (KEYS[2] holds only "~closed", see finalize-feed.ts) returns "closed" for all.
  A rule that raises an error on a message (a poison message: e.g. its order hash damaged) gives that message
  the outcome "-12|<error>", stored like any other, and the batch goes on in order. The rules read and decode
  everything they use before their first write, so such a message changed nothing (only a damaged events
  stream, written last, could fail after the order was saved). Redis refusing a command for now (OOM, BUSY,
  READONLY, …) fails the whole call instead, and the job is tried again.
]]
local stock_key, applied_key, events_key = KEYS[1], KEYS[2], KEYS[3]
local messages = cjson.decode(ARGV[3])
local outcomes = {}
-- What every rule gets besides its message: the same for the whole batch.
local ctx = { feedId = ARGV[1], at = ARGV[2], stockKey = stock_key, eventsKey = events_key }

if redis.call('HEXISTS', applied_key, '~closed') == 1 then
  for i = 1, #messages do outcomes[i] = 'closed' end
  return outcomes
end

local message_keys = {}
for i, m in ipairs(messages) do message_keys[i] = m.k end
local stored = redis.call('HMGET', applied_key, unpack(message_keys))

-- Replies of a Redis that cannot run the command right now: passing, not the message's fault.
local PASSING = { 'OOM', 'BUSY', 'LOADING', 'READONLY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'MISCONF', 'NOREPLICAS' }
local function passing(text)
  for _, prefix in ipairs(PASSING) do
    if string.sub(text, 1, #prefix) == prefix then return true end
  end
  return string.find(text, 'OOM command not allowed', 1, true) ~= nil
end

-- The rule's outcome, or "-12|<error>" when it raised one; a passing Redis error fails the whole call.
local function run_rule(rule, m, ctx)
  local ok, result = pcall(rule, m, ctx)
  if ok then return result end
  local text = type(result) == 'table' and tostring(result.err) or tostring(result)
  if passing(text) then error(result) end
  return '-12|' .. (string.gsub(string.sub(text, 1, 200), '[|\r\n]', ' '))
end

local APPLY = {
  adjustment = apply_adjustment,
  acknowledgement = apply_acknowledgement,
  fulfillment = apply_fulfillment,
  inventory = apply_inventory,
}
for i, m in ipairs(messages) do
  if stored[i] then
    outcomes[i] = stored[i]
  else
    -- An unknown kind is the caller's bug, not the message's: the call fails (outside the rule's pcall).
    local rule = APPLY[m.kind]
    if not rule then error('unknown message kind ' .. tostring(m.kind)) end
    outcomes[i] = run_rule(rule, m, ctx)
    redis.call('HSET', applied_key, m.k, outcomes[i])
  end
end
return outcomes
