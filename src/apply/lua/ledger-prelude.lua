--[[
  Shared helpers, prepended to every ledger script by scripts.ts (Lua has no includes in Redis).
  Orders are one JSON document each; money travels as strings of integer minor units, because cjson would
  print large numbers with only 14 significant digits.
  An outcome is "0" (applied) or "<negative code>|<detail>|…"; the codes are listed in script-codes.ts.
]]
-- Exactly once: the outcome already stored for (feed, message), or nil; and storing one.
-- A finished feed's hash holds only the field "~closed" (finalize-feed.ts): a worker that resumes after its
-- job was taken over and the feed finalised (a stalled lock) gets "closed" and changes nothing.
local function stored_outcome(applied_key, message_key)
  local done = redis.call('HGET', applied_key, message_key)
  if done then return done end
  if redis.call('HEXISTS', applied_key, '~closed') == 1 then return 'closed' end
  return nil
end

local function store_outcome(applied_key, message_key, outcome)
  redis.call('HSET', applied_key, message_key, outcome)
  return outcome
end

local function load_json(raw)
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

-- After a cancellation: NoInventory means the seller has none, so the SKU stops selling (quantity 0);
-- any other reason puts the units back.
local function restock(stock_key, sku, units, reason)
  local record = load_json(redis.call('HGET', stock_key, sku)) or { sku = sku }
  if reason == 'NoInventory' then
    record.quantity = 0
  else
    record.quantity = (tonumber(record.quantity) or 0) + units
  end
  redis.call('HSET', stock_key, sku, cjson.encode(record))
end

local function cancel_event(events_key, order, code, units, reason, source, feed_id, message_id, at)
  redis.call('XADD', events_key, '*', 'type', 'cancellation', 'orderId', order.id, 'itemCode', code,
    'sku', order.items[code].sku, 'units', tostring(units), 'reason', reason or '', 'source', source,
    'feedId', feed_id, 'messageId', message_id, 'at', at)
end

-- Saves the order with its new status, then restocks and records an event for every cancellation.
local function save_with_cancellations(keys, order, cancellations, source, feed_id, message_id, at)
  order.status = order_status(order)
  redis.call('SET', keys.order, cjson.encode(order))
  for _, c in ipairs(cancellations) do
    restock(keys.stock, order.items[c.code].sku, c.units, c.reason)
    cancel_event(keys.events, order, c.code, c.units, c.reason, source, feed_id, message_id, at)
  end
end
