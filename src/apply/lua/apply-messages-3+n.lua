--[[
  Applies a batch of one feed's messages, in the given order, each all or nothing and exactly once.
  Input:
    KEYS[1] the merchant's stock hash   KEYS[2] the feed's applied hash   KEYS[3] the merchant's events stream
    KEYS[4..] the order and MerchantOrderID-mapping keys the messages name (all of the merchant: one slot)
    ARGV[1] feed id   ARGV[2] time (ISO 8601)
    ARGV[3..] the messages (message-batch.ts builds them): each is `key, kind, o, x, n` and n fields, where o is
            the KEYS index of the order and x that of the mapping key (acknowledgements naming a
            MerchantOrderID), "" when none. An adjustment's fields are plain values (read by read_adjustment
            below), a single-item adjustment's (kind "adjustment1") one packed field as it is, any other kind's
            one field as JSON. A rule reads its payload from m.p.
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
--- @include "lib/2-adjustment"
--- @include "lib/3-acknowledgement"
--- @include "lib/4-fulfillment"
--- @include "lib/5-inventory"
local stock_key, applied_key, events_key = KEYS[1], KEYS[2], KEYS[3]
local outcomes = {}
-- What every rule gets besides its message: the same for the whole batch.
local ctx = { feedId = ARGV[1], at = ARGV[2], stockKey = stock_key, eventsKey = events_key }

-- The messages' heads; their fields are read at their turn (ARGV[m.f .. m.f + n - 1]).
local messages, message_keys = {}, {}
local at = 3
while at <= #ARGV do
  local m = { k = ARGV[at], kind = ARGV[at + 1], o = tonumber(ARGV[at + 2]), x = tonumber(ARGV[at + 3]), f = at + 5 }
  messages[#messages + 1] = m
  message_keys[#messages] = m.k
  at = m.f + tonumber(ARGV[at + 4])
end

if #messages == 0 then return outcomes end
if redis.call('HEXISTS', applied_key, '~closed') == 1 then
  for i = 1, #messages do outcomes[i] = 'closed' end
  return outcomes
end
local stored = redis.call('HMGET', applied_key, unpack(message_keys))

local function given(value)
  if value == '' then return nil end
  return value
end

-- An adjustment's plain fields (message-batch.ts): itemCount, currency, merchantOrderId, then per item code,
-- merchantItemId, reason, adjId, quantityCancelled, components ("Type=minor,…").
local function read_adjustment(f)
  local p = { currency = given(ARGV[f + 1]), merchantOrderId = given(ARGV[f + 2]), items = {} }
  for i = 1, num(ARGV[f]) do
    local a = f + 3 + (i - 1) * 6
    p.items[i] = {
      code = given(ARGV[a]), merchantItemId = given(ARGV[a + 1]), reason = ARGV[a + 2], adjId = given(ARGV[a + 3]),
      quantityCancelled = num(ARGV[a + 4]), components = ARGV[a + 5],
    }
  end
  return p
end

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
  adjustment1 = apply_single_item_adjustment,
  acknowledgement = apply_acknowledgement,
  fulfillment = apply_fulfillment,
  inventory = apply_inventory,
}
-- How each kind's fields become m.p; the other kinds' one field is JSON.
local PAYLOAD = {
  adjustment = read_adjustment,
  adjustment1 = function(f) return ARGV[f] end,
}
local function read_json(f) return cjson.decode(ARGV[f]) end
for i = 1, #messages do
  local m = messages[i]
  if stored[i] then
    outcomes[i] = stored[i]
  else
    -- An unknown kind is the caller's bug, not the message's: the call fails (outside the rule's pcall).
    local rule = APPLY[m.kind]
    if not rule then error('unknown message kind ' .. tostring(m.kind)) end
    m.p = (PAYLOAD[m.kind] or read_json)(m.f)
    outcomes[i] = run_rule(rule, m, ctx)
    redis.call('HSET', applied_key, m.k, outcomes[i])
  end
end
return outcomes
