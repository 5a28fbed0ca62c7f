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
local incoming = cjson.decode(ARGV[1])
local key = KEYS[1]
-- The cancel-rate metric counts orders by purchase date: keep the index in step with the order.
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), incoming.id) end
local INFO = { 'purchaseDate', 'buyerEmail', 'buyerName', 'marketplace', 'buyerCancelRequested' }

-- A field's text; nil for a missing or null value.
local function text(value)
  if value == nil or value == cjson.null then return nil end
  if type(value) == 'boolean' then return value and 'true' or 'false' end
  return tostring(value)
end

local function item_fields(args, code, item)
  local p = 'i:' .. code .. ':'
  for _, pair in ipairs({ { 'sku', item.sku }, { 'q', item.ordered }, { 's', 0 }, { 'x', 0 }, { 'c', format_amounts(item.charged) }, { 'r', '' } }) do
    table.insert(args, p .. pair[1])
    table.insert(args, pair[2])
  end
end

if redis.call('EXISTS', key) == 0 then
  local args = { 'id', incoming.id, 'merchantId', incoming.merchantId, 'currency', incoming.currency,
    'itemOrder', table.concat(incoming.itemOrder, ','), 'shipped', 0, 'cancelled', 0 }
  for _, field in ipairs(INFO) do
    local value = text(incoming[field])
    if value then table.insert(args, field); table.insert(args, value) end
  end
  local ordered = 0
  for _, code in ipairs(incoming.itemOrder) do
    item_fields(args, code, incoming.items[code])
    ordered = ordered + incoming.items[code].ordered
  end
  table.insert(args, 'ordered'); table.insert(args, ordered)
  table.insert(args, 'status'); table.insert(args, order_status({ ordered = ordered, shipped = 0, cancelled = 0 }))
  redis.call('HSET', key, unpack(args))
  return 'created'
end

local order = load_order(key, nil)
local writes, removed = {}, {}
local current = redis.call('HMGET', key, unpack(INFO))
for i, field in ipairs(INFO) do
  local value = text(incoming[field])
  if value ~= (current[i] or nil) then
    if value then table.insert(writes, field); table.insert(writes, value) else table.insert(removed, field) end
  end
end
for _, code in ipairs(incoming.itemOrder) do
  local fresh, item = incoming.items[code], order.items[code]
  if not item then
    item_fields(writes, code, fresh)
    table.insert(order.itemOrder, code)
    order.ordered = order.ordered + fresh.ordered
  else
    local p = 'i:' .. code .. ':'
    if item.sku ~= fresh.sku then table.insert(writes, p .. 'sku'); table.insert(writes, fresh.sku) end
    local charged = format_amounts(fresh.charged)
    if format_amounts(item.charged) ~= charged then table.insert(writes, p .. 'c'); table.insert(writes, charged) end
    local ordered = math.max(fresh.ordered, item.shipped + item.cancelled)
    if ordered ~= item.ordered then
      table.insert(writes, p .. 'q'); table.insert(writes, ordered)
      order.ordered = order.ordered + ordered - item.ordered
    end
  end
end
if #writes == 0 and #removed == 0 then return 'unchanged' end
for _, pair in ipairs({ { 'itemOrder', table.concat(order.itemOrder, ',') }, { 'ordered', order.ordered }, { 'status', order_status(order) } }) do
  table.insert(writes, pair[1]); table.insert(writes, pair[2])
end
redis.call('HSET', key, unpack(writes))
if #removed > 0 then redis.call('HDEL', key, unpack(removed)) end
return 'updated'
