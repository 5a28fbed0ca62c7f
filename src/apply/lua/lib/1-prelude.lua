--[[
  Shared helpers, prepended (with the other lib/ files, in name order) to every ledger script by scripts.ts:
  Redis Lua has no includes.

  An order is one hash (src/apply/keys.ts). What every message reads and writes is packed into few fields at
  the front of it: `o` = "ordered|shipped|cancelled|status|currency|flags" (unit totals of the order; flags
  "b" buyer asked to cancel, "s" the seller cancelled something) and, per item, `i:<code>` =
  "ordered|shipped|cancelled|charged|refunded|sku" (amounts as "Type=minor,Type=minor"; the SKU last, so it
  may hold any character). The rest is read only when needed: id, merchantId, merchantOrderId, itemOrder
  ("code,code"), buyer details, sellerNote, and per item `i:<code>:mi` (MerchantOrderItemID), `i:<code>:ship`
  (last shipment, JSON), `i:<code>:adj:<MerchantAdjustmentItemID>`; plus `mi:<id>` -> code.
  Why packed: a small order hash is a listpack, where Redis finds a field by scanning from the front, so each
  field named costs a scan. A cancellation names two fields instead of fifteen, which halves the script's cost.
  Money is integer minor units, kept as strings. An outcome is "0" (applied) or "<negative code>|<detail>|…";
  the codes are listed in script-codes.ts. A rule writes nothing until it has accepted the whole message.
]]
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

-- The packed fields (see the header). Parts are read leniently (a damaged number reads as nil), so a damaged
-- field fails the rule that uses it, as a poison message (apply-messages-3+n.lua), not the whole call.
local ORDER_STATE = '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$'
local ITEM_STATE = '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$'

local function decode_order(key, id, state)
  local ordered, shipped, cancelled, _, currency, flags = string.match(state, ORDER_STATE)
  if not ordered then error('order ' .. id .. ': damaged state field') end
  return {
    key = key, id = id, currency = currency, ordered = tonumber(ordered), shipped = tonumber(shipped),
    cancelled = tonumber(cancelled), buyerCancelRequested = string.find(flags, 'b', 1, true) ~= nil,
    sellerCancelled = string.find(flags, 's', 1, true) ~= nil, items = {}, changed = {}, writes = {},
  }
end

local function encode_order(order)
  local flags = (order.buyerCancelRequested and 'b' or '') .. (order.sellerCancelled and 's' or '')
  return order.ordered .. '|' .. order.shipped .. '|' .. order.cancelled .. '|' .. order_status(order) .. '|' .. order.currency .. '|' .. flags
end

local function decode_item(code, packed)
  local ordered, shipped, cancelled, charged, refunded, sku = string.match(packed, ITEM_STATE)
  if not ordered then error('item ' .. code .. ': damaged field') end
  return {
    code = code, sku = sku, ordered = tonumber(ordered), shipped = tonumber(shipped), cancelled = tonumber(cancelled),
    charged = parse_amounts(charged), refunded = parse_amounts(refunded),
  }
end

local function encode_item(item)
  return item.ordered .. '|' .. item.shipped .. '|' .. item.cancelled .. '|' .. format_amounts(item.charged) .. '|' .. format_amounts(item.refunded) .. '|' .. item.sku
end

-- The order with the items `codes` (all of them when codes is nil), or nil when there is no such order.
-- `with_merchant_order_id` also reads the MerchantOrderID (only messages that name one need it).
local function load_order(key, codes, with_merchant_order_id)
  local fields = { 'o', 'id', with_merchant_order_id and 'merchantOrderId' or 'o' }
  if codes then
    for i, code in ipairs(codes) do fields[3 + i] = 'i:' .. code end
  end
  local v = redis.call('HMGET', key, unpack(fields))
  if not v[1] then return nil end
  local order = decode_order(key, v[2], v[1])
  if with_merchant_order_id then order.merchantOrderId = v[3] or nil end
  if not codes then
    codes = split(redis.call('HGET', key, 'itemOrder'), ',')
    order.itemOrder = codes
    local packed = {}
    if #codes > 0 then
      for i, code in ipairs(codes) do packed[i] = 'i:' .. code end
      packed = redis.call('HMGET', key, unpack(packed))
    end
    for i, code in ipairs(codes) do
      if packed[i] then order.items[code] = decode_item(code, packed[i]) end
    end
    return order
  end
  for i, code in ipairs(codes) do
    if v[3 + i] then order.items[code] = decode_item(code, v[3 + i]) end
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

-- Writes what the message changed: the order's state, the changed items, and other fields the rule set.
local function save_order(order)
  local args = { 'o', encode_order(order) }
  for code, item in pairs(order.changed) do
    args[#args + 1] = 'i:' .. code
    args[#args + 1] = encode_item(item)
  end
  for field, value in pairs(order.writes) do
    args[#args + 1] = field
    args[#args + 1] = value
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

local function cancel_event(m, ctx, order, c, source, note)
  local refund = c.refund or share_of_charges(order.items[c.code], c.units)
  redis.call('XADD', ctx.eventsKey, '*', 'type', 'cancellation', 'orderId', order.id, 'itemCode', c.code,
    'sku', order.items[c.code].sku, 'units', tostring(c.units), 'reason', c.reason or '', 'source', source,
    'feedId', ctx.feedId, 'messageId', m.k, 'at', ctx.at, 'note', note or '', 'refund', money_str(refund), 'currency', order.currency)
end

-- Cancel rate (product-spec.md §3): every cancellation is the seller's, except a buyer's reason on an order
-- that carries a buyer cancellation request.
local BUYER_REASONS = { BuyerCanceled = true, CustomerCancel = true }
local function seller_initiated(order, reason)
  return not (BUYER_REASONS[reason or ''] and order.buyerCancelRequested)
end

-- Saves the order, then restocks and records an event for every cancellation; an order any of whose
-- cancellations was the seller's is marked `sellerCancelled` for the cancel-rate metric.
local function save_with_cancellations(m, ctx, order, cancellations, source, note)
  for _, c in ipairs(cancellations) do
    if seller_initiated(order, c.reason) then order.sellerCancelled = true end
  end
  -- Every stock record is read and decoded before the first write: a damaged one raises its error (a poison
  -- message, see apply-worker.ts) while the message has still changed nothing.
  local stock = {}
  for _, c in ipairs(cancellations) do
    local sku = order.items[c.code].sku
    stock[sku] = stock[sku] or load_json(redis.call('HGET', ctx.stockKey, sku)) or { sku = sku }
  end
  save_order(order)
  for _, c in ipairs(cancellations) do
    local sku = order.items[c.code].sku
    restock(ctx.stockKey, sku, stock[sku], c.units, c.reason)
    cancel_event(m, ctx, order, c, source, note)
  end
end
