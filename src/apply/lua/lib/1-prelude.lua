--[[
  Shared helpers, prepended (with the other lib/ files, in name order) to every ledger script by scripts.ts:
  Redis Lua has no includes.

  An order is one hash (src/apply/keys.ts lists its fields): order-wide fields (currency, status, totals of
  ordered / shipped / cancelled units, itemOrder as "code,code", buyer details) and per item `i:<code>:<f>`:
  sku, q (ordered), s (shipped), x (cancelled), c (charged) and r (refunded) as "Type=minor,Type=minor", mi
  (MerchantOrderItemID), ship (last shipment, JSON), adj:<MerchantAdjustmentItemID>; plus `mi:<id>` -> code.
  A rule reads only the fields it needs (one HMGET) and writes only what changed (one HSET), which costs
  Redis far less than decoding and re-encoding a JSON document per message.
  Money is integer minor units, kept as strings. An outcome is "0" (applied) or "<negative code>|<detail>|…";
  the codes are listed in script-codes.ts. A rule writes nothing until it has accepted the whole message.
]]
local ORDER_FIELDS = { 'id', 'currency', 'merchantOrderId', 'itemOrder', 'ordered', 'shipped', 'cancelled', 'buyerCancelRequested' }
local ITEM_FIELDS = { 'sku', 'q', 's', 'x', 'c', 'r', 'mi' }

local function split(text, separator)
  local parts = {}
  if not text or text == '' then return parts end
  for part in string.gmatch(text, '[^' .. separator .. ']+') do table.insert(parts, part) end
  return parts
end

local function money(value)
  return tonumber(value) or 0
end

local function money_str(n)
  return string.format('%.0f', n)
end

-- "Principal=2000,Tax=160" <-> { Principal = '2000', Tax = '160' }; written sorted, so equal maps are equal text.
local function parse_amounts(text)
  local amounts = {}
  if text then
    for name, value in string.gmatch(text, '([^=,]+)=([^,]*)') do amounts[name] = value end
  end
  return amounts
end

local function format_amounts(amounts)
  local names = {}
  for name in pairs(amounts) do table.insert(names, name) end
  table.sort(names)
  for i, name in ipairs(names) do names[i] = name .. '=' .. amounts[name] end
  return table.concat(names, ',')
end

local function open_units(item)
  return item.ordered - item.shipped - item.cancelled
end

-- Unshipped, PartiallyShipped, Shipped or Canceled, from the order's unit totals.
local function order_status(totals)
  if totals.cancelled >= totals.ordered then return 'Canceled' end
  if totals.shipped == 0 then return 'Unshipped' end
  if totals.shipped + totals.cancelled >= totals.ordered then return 'Shipped' end
  return 'PartiallyShipped'
end

-- The item fields of `codes` read into order.items (codes the order does not have stay absent).
local function read_items(order, values, first, codes)
  local n = #ITEM_FIELDS
  for i, code in ipairs(codes) do
    local at = first + (i - 1) * n
    if values[at] then
      order.items[code] = {
        code = code, sku = values[at], ordered = tonumber(values[at + 1]), shipped = tonumber(values[at + 2]),
        cancelled = tonumber(values[at + 3]), charged = parse_amounts(values[at + 4]),
        refunded = parse_amounts(values[at + 5]), merchantItemId = values[at + 6] or nil,
      }
    end
  end
end

local function item_field_names(fields, codes)
  for _, code in ipairs(codes) do
    for _, f in ipairs(ITEM_FIELDS) do table.insert(fields, 'i:' .. code .. ':' .. f) end
  end
  return fields
end

-- The order with the items `codes` (all of them when codes is nil), or nil when there is no such order.
local function load_order(key, codes)
  local fields = item_field_names({ unpack(ORDER_FIELDS) }, codes or {})
  local v = redis.call('HMGET', key, unpack(fields))
  if not v[1] then return nil end
  local order = {
    key = key, id = v[1], currency = v[2], merchantOrderId = v[3] or nil, itemOrder = split(v[4], ','),
    ordered = tonumber(v[5]), shipped = tonumber(v[6]), cancelled = tonumber(v[7]),
    buyerCancelRequested = v[8] == 'true', items = {}, changed = {}, writes = {},
  }
  if codes then
    read_items(order, v, #ORDER_FIELDS + 1, codes)
  elseif #order.itemOrder > 0 then
    read_items(order, redis.call('HMGET', key, unpack(item_field_names({}, order.itemOrder))), 1, order.itemOrder)
  end
  return order
end

-- The code an AmazonOrderItemCode or a MerchantOrderItemID names (nil when no item has that MerchantOrderItemID).
local function item_code(order_key, code, merchant_item_id)
  if code and code ~= cjson.null then return code end
  if not merchant_item_id or merchant_item_id == cjson.null then return nil end
  return redis.call('HGET', order_key, 'mi:' .. merchant_item_id) or nil
end

-- The codes of listed items (false where a MerchantOrderItemID names no item), and those that name one.
local function listed_item_codes(order_key, items)
  local codes = {}
  for i, listed in ipairs(items) do codes[i] = item_code(order_key, listed.code, listed.merchantItemId) or false end
  return codes
end

local function known_codes(codes)
  local list = {}
  for _, code in ipairs(codes) do if code then table.insert(list, code) end end
  return list
end

-- Unit changes go through these, so the order's totals (and with them its status) stay exact.
local function ship_units(order, item, units)
  item.shipped = item.shipped + units
  order.shipped = order.shipped + units
  order.changed[item.code] = item
end

local function cancel_units(order, item, units)
  item.cancelled = item.cancelled + units
  order.cancelled = order.cancelled + units
  order.changed[item.code] = item
end

-- Writes what the message changed: the changed items' units and refunds, other fields, totals and status.
local function save_order(order)
  local args = { 'status', order_status(order), 'shipped', order.shipped, 'cancelled', order.cancelled }
  for code, item in pairs(order.changed) do
    local p = 'i:' .. code .. ':'
    for _, pair in ipairs({ { 's', item.shipped }, { 'x', item.cancelled }, { 'r', format_amounts(item.refunded) } }) do
      table.insert(args, p .. pair[1])
      table.insert(args, pair[2])
    end
  end
  for field, value in pairs(order.writes) do
    table.insert(args, field)
    table.insert(args, value)
  end
  redis.call('HSET', order.key, unpack(args))
end

local function load_json(raw)
  if not raw then return nil end
  return cjson.decode(raw)
end

-- After a cancellation: NoInventory means the seller has none, so the SKU stops selling (quantity 0);
-- any other reason puts the units back. `record` is the SKU's stock record, read before anything was written.
local function restock(stock_key, sku, record, units, reason)
  if reason == 'NoInventory' then
    record.quantity = 0
  else
    record.quantity = (tonumber(record.quantity) or 0) + units
  end
  redis.call('HSET', stock_key, sku, cjson.encode(record))
end

-- The refund a buyer sees for cancelled units: what the message refunded, or else the units' share of the
-- item's charges (Amazon refunds a cancelled unit in full).
local function share_of_charges(item, units)
  local total = 0
  for _, amount in pairs(item.charged) do total = total + money(amount) end
  return math.floor(total * units / item.ordered)
end

local function cancel_event(m, order, c, source, note)
  local refund = c.refund or share_of_charges(order.items[c.code], c.units)
  redis.call('XADD', m.eventsKey, '*', 'type', 'cancellation', 'orderId', order.id, 'itemCode', c.code,
    'sku', order.items[c.code].sku, 'units', tostring(c.units), 'reason', c.reason or '', 'source', source,
    'feedId', m.feedId, 'messageId', m.k, 'at', m.at, 'note', note or '', 'refund', money_str(refund), 'currency', order.currency)
end

-- Cancel rate (product-spec.md §3): every cancellation is the seller's, except a buyer's reason on an order
-- that carries a buyer cancellation request.
local BUYER_REASONS = { BuyerCanceled = true, CustomerCancel = true }
local function seller_initiated(order, reason)
  return not (BUYER_REASONS[reason or ''] and order.buyerCancelRequested)
end

-- Saves the order, then restocks and records an event for every cancellation; an order any of whose
-- cancellations was the seller's is marked `sellerCancelled` for the cancel-rate metric.
local function save_with_cancellations(m, order, cancellations, source, note)
  for _, c in ipairs(cancellations) do
    if seller_initiated(order, c.reason) then order.writes.sellerCancelled = '1' end
  end
  -- Every stock record is read and decoded before the first write: a damaged one raises its error (a poison
  -- message, see apply-worker.ts) while the message has still changed nothing.
  local stock = {}
  for _, c in ipairs(cancellations) do
    local sku = order.items[c.code].sku
    stock[sku] = stock[sku] or load_json(redis.call('HGET', m.stockKey, sku)) or { sku = sku }
  end
  save_order(order)
  for _, c in ipairs(cancellations) do
    local sku = order.items[c.code].sku
    restock(m.stockKey, sku, stock[sku], c.units, c.reason)
    cancel_event(m, order, c, source, note)
  end
end
