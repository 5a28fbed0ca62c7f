--[[
  Shared helpers, prepended (with the other lib/ files, in name order) to every ledger script by scripts.ts:
  Redis Lua has no includes.
  Orders are one JSON document each; money travels as strings of integer minor units, because cjson would
  print large numbers with only 14 significant digits.
  An outcome is "0" (applied) or "<negative code>|<detail>|…"; the codes are listed in script-codes.ts.

  A batch of messages runs in one script: reads go through the caches below, and every write is made at the
  end by flush_batch(), so a refused message leaves nothing behind and a failing script writes nothing.
]]
local batch = {
  orders = {},        -- order key -> JSON as it stands after the batch's messages so far (false: none)
  order_keys = {},    -- order keys to write, in first-change order
  stock = {},         -- SKU -> record table (false: deleted)
  stock_skus = {},    -- SKUs to write
  events = {},        -- XADD argument lists, in the order the cancellations happened
  mappings = {},      -- MerchantOrderID key -> AmazonOrderID
  mapping_keys = {},
}

local function load_json(raw)
  if not raw then return nil end
  return cjson.decode(raw)
end

-- The order at a key as a fresh table (a refused message's changes to it are simply dropped), or nil.
local function load_order(key)
  local raw = batch.orders[key]
  if raw == nil then
    raw = redis.call('GET', key) or false
    batch.orders[key] = raw
  end
  if not raw then return nil end
  return cjson.decode(raw)
end

local function money(value)
  return tonumber(value) or 0
end

local function money_str(n)
  return string.format('%.0f', n)
end

local function open_units(item)
  return item.ordered - item.shipped - item.cancelled
end

-- Unshipped, PartiallyShipped, Shipped or Canceled, from the items' counts.
local function order_status(order)
  local ordered, shipped, cancelled = 0, 0, 0
  for _, code in ipairs(order.itemOrder) do
    local item = order.items[code]
    ordered = ordered + item.ordered
    shipped = shipped + item.shipped
    cancelled = cancelled + item.cancelled
  end
  if cancelled >= ordered then return 'Canceled' end
  if shipped == 0 then return 'Unshipped' end
  if shipped + cancelled >= ordered then return 'Shipped' end
  return 'PartiallyShipped'
end

local function save_order(key, order)
  order.status = order_status(order)
  if not batch.order_keys[key] then
    batch.order_keys[key] = true
    table.insert(batch.order_keys, key)
  end
  batch.orders[key] = cjson.encode(order)
end

-- The item an AmazonOrderItemCode or a MerchantOrderItemID names, with its code; nil when there is none.
local function find_item(order, code, merchant_item_id)
  if code and code ~= cjson.null then
    return order.items[code], code
  end
  for _, c in ipairs(order.itemOrder) do
    if order.items[c].merchantItemId == merchant_item_id then return order.items[c], c end
  end
  return nil, nil
end

-- A SKU's stock record (a table to change in place), or nil; set_stock records the change for flush_batch.
local function stock_record(stock_key, sku)
  local record = batch.stock[sku]
  if record == nil then
    record = load_json(redis.call('HGET', stock_key, sku)) or false
    batch.stock[sku] = record
  end
  return record or nil
end

local function set_stock(sku, record)
  if not batch.stock_skus[sku] then
    batch.stock_skus[sku] = true
    table.insert(batch.stock_skus, sku)
  end
  batch.stock[sku] = record or false
end

-- After a cancellation: NoInventory means the seller has none, so the SKU stops selling (quantity 0);
-- any other reason puts the units back.
local function restock(stock_key, sku, units, reason)
  local record = stock_record(stock_key, sku) or { sku = sku }
  if reason == 'NoInventory' then
    record.quantity = 0
  else
    record.quantity = (tonumber(record.quantity) or 0) + units
  end
  set_stock(sku, record)
end

local function cancel_event(m, order, code, units, reason, source)
  table.insert(batch.events, { 'type', 'cancellation', 'orderId', order.id, 'itemCode', code,
    'sku', order.items[code].sku, 'units', tostring(units), 'reason', reason or '', 'source', source,
    'feedId', m.feedId, 'messageId', m.k, 'at', m.at })
end

-- Saves the order with its new status, then restocks and records an event for every cancellation.
local function save_with_cancellations(m, order, cancellations, source)
  save_order(m.orderKey, order)
  for _, c in ipairs(cancellations) do
    restock(m.stockKey, order.items[c.code].sku, c.units, c.reason)
    cancel_event(m, order, c.code, c.units, c.reason, source)
  end
end

local function set_mapping(key, amazon_order_id)
  if not batch.mappings[key] then table.insert(batch.mapping_keys, key) end
  batch.mappings[key] = amazon_order_id
end

-- Every write of the batch, in one go at the end.
local function flush_batch(stock_key, events_key)
  for _, key in ipairs(batch.order_keys) do redis.call('SET', key, batch.orders[key]) end
  for _, sku in ipairs(batch.stock_skus) do
    local record = batch.stock[sku]
    if record then redis.call('HSET', stock_key, sku, cjson.encode(record)) else redis.call('HDEL', stock_key, sku) end
  end
  for _, key in ipairs(batch.mapping_keys) do redis.call('SET', key, batch.mappings[key]) end
  for _, fields in ipairs(batch.events) do redis.call('XADD', events_key, '*', unpack(fields)) end
end
