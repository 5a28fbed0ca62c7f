--[[
  Creates or refreshes one order from Amazon's order report.
  Input:
    KEYS[1] the order key   KEYS[2] the merchant's orders-by-purchase-date index (zset)
    ARGV[2] the purchase date in epoch milliseconds, or "" when the report gave none
    ARGV[1] the order as JSON: id, merchantId, currency, purchaseDate, buyerEmail, buyerName, marketplace,
            buyerCancelRequested, itemOrder, items{code: {sku, ordered, charged{Component: minor units}}}
  Output: "created" | "updated" | "unchanged" (the hash layout is described in lib/1-prelude.lua)
  Re-importing never undoes shipments, cancellations or refunds: those counts are kept, and an item is never
  made smaller than what already happened to it.
]]
--- @include "lib/1-prelude"
local incoming = cjson.decode(ARGV[1])
local key = KEYS[1]
-- The cancel-rate metric counts orders by purchase date: keep the index in step with the order.
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), incoming.id) end
local INFO = { 'purchaseDate', 'buyerEmail', 'buyerName', 'marketplace' }

-- A field's text; nil for a missing or null value.
local function text(value)
  if value == nil or value == cjson.null then return nil end
  return tostring(value)
end

local function new_item(code, fresh)
  return { code = code, sku = fresh.sku, ordered = fresh.ordered, shipped = 0, cancelled = 0, charged = fresh.charged, refunded = {} }
end

local function append(args, field, value)
  args[#args + 1] = field
  args[#args + 1] = value
end

if redis.call('EXISTS', key) == 0 then
  local order = { id = incoming.id, currency = incoming.currency, ordered = 0, shipped = 0, cancelled = 0,
    buyerCancelRequested = incoming.buyerCancelRequested == true, sellerCancelled = false }
  local items = {}
  for i, code in ipairs(incoming.itemOrder) do
    items[i] = new_item(code, incoming.items[code])
    order.ordered = order.ordered + items[i].ordered
  end
  -- The packed fields first: a listpack is searched from the front (lib/1-prelude.lua).
  local args = { 'o', encode_order(order), 'id', incoming.id }
  for i, code in ipairs(incoming.itemOrder) do append(args, 'i:' .. code, encode_item(items[i])) end
  append(args, 'merchantId', incoming.merchantId)
  append(args, 'itemOrder', table.concat(incoming.itemOrder, ','))
  for _, field in ipairs(INFO) do
    local value = text(incoming[field])
    if value then append(args, field, value) end
  end
  redis.call('HSET', key, unpack(args))
  return 'created'
end

local order = load_order(key, nil)
local writes, removed = {}, {}
local current = redis.call('HMGET', key, unpack(INFO))
for i, field in ipairs(INFO) do
  local value = text(incoming[field])
  if value ~= (current[i] or nil) then
    if value then append(writes, field, value) else table.insert(removed, field) end
  end
end
local changed = (incoming.buyerCancelRequested == true) ~= order.buyerCancelRequested
order.buyerCancelRequested = incoming.buyerCancelRequested == true
for _, code in ipairs(incoming.itemOrder) do
  local fresh, item = incoming.items[code], order.items[code]
  if not item then
    item = new_item(code, fresh)
    table.insert(order.itemOrder, code)
    order.ordered = order.ordered + item.ordered
    order.changed[code] = item
  else
    local charged = format_amounts(fresh.charged)
    -- An item is never made smaller than what already happened to it.
    local ordered = math.max(fresh.ordered, item.shipped + item.cancelled)
    if item.sku ~= fresh.sku or format_amounts(item.charged) ~= charged or ordered ~= item.ordered then
      order.ordered = order.ordered + ordered - item.ordered
      item.sku, item.charged, item.chargedText, item.ordered = fresh.sku, fresh.charged, charged, ordered
      order.changed[code] = item
    end
  end
end
if #writes == 0 and #removed == 0 and not changed and next(order.changed) == nil then return 'unchanged' end
order.writes.itemOrder = table.concat(order.itemOrder, ',')
for i = 1, #writes, 2 do order.writes[writes[i]] = writes[i + 1] end
save_order(order)
if #removed > 0 then redis.call('HDEL', key, unpack(removed)) end
return 'updated'
