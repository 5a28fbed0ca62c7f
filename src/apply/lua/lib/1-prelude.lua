--[[
  Shared helpers of the ledger scripts. Redis Lua has no `require`: a script or rule that needs these names
  this file with `--- @include` and the build puts its text there (src/core/lua-source.ts).

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
-- The hot paths below use numeric for loops, direct indexing and few library calls: in Redis's Lua 5.1 every
-- call of a C function (ipairs' and pairs' steps, table.insert, tonumber, …) costs more than the work it does.

local function split(text, separator)
  local parts = {}
  if not text or text == '' then return parts end
  for part in string.gmatch(text, '[^' .. separator .. ']+') do parts[#parts + 1] = part end
  return parts
end

-- Text <-> number conversions, remembered for the rest of the call. In Redis's Lua a tonumber (strtod) or a
-- string.format costs more than a thousand instructions, and a batch converts the same unit counts and amounts
-- over and over. Integers are written with '%d', a fraction of the '%.14g' printf of Lua's own conversion (a
-- number in `..`, tostring); values beyond what a double holds exactly keep '%.0f'.
local number_of, text_of = {}, {}

local function num(text)
  if text == nil then return nil end
  local n = number_of[text]
  if n == nil then
    n = tonumber(text) or false
    number_of[text] = n
  end
  return n or nil
end

local function money(value)
  return num(value) or 0
end

local function int_str(n)
  local text = text_of[n]
  if text then return text end
  if n ~= n then return string.format('%.0f', n) end -- NaN: no table key
  if n >= -9007199254740992 and n <= 9007199254740992 then text = string.format('%d', n) else text = string.format('%.0f', n) end
  text_of[n] = text
  return text
end

-- "Principal=2000,Tax=160" <-> { Principal = '2000', Tax = '160' }, and the sum of the amounts; written
-- sorted, so equal maps are equal text.
local function parse_amounts(text)
  local amounts, total = {}, 0
  if text and text ~= '' then
    for name, value in string.gmatch(text, '([^=,]+)=([^,]*)') do
      amounts[name] = value
      total = total + money(value)
    end
  end
  return amounts, total
end

local function format_amounts(amounts)
  local names, n = {}, 0
  for name in pairs(amounts) do
    n = n + 1
    names[n] = name
  end
  if n > 1 then table.sort(names) end
  for i = 1, n do names[i] = names[i] .. '=' .. amounts[names[i]] end
  return table.concat(names, ',')
end

local function open_units(item)
  return item.ordered - item.shipped - item.cancelled
end

-- Unshipped, PartiallyShipped, Shipped or Canceled, from the order's unit totals.
local function order_status(ordered, shipped, cancelled)
  if cancelled >= ordered then return 'Canceled' end
  if shipped == 0 then return 'Unshipped' end
  if shipped + cancelled >= ordered then return 'Shipped' end
  return 'PartiallyShipped'
end

-- The packed fields (see the header). Parts are read leniently (a damaged number reads as nil), so a damaged
-- field fails the rule that uses it, as a poison message (apply-messages-3+n.lua), not the whole call.
local ORDER_STATE = '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$'
local ITEM_STATE = '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$'

local FLAGS = { [''] = {}, b = { b = true }, s = { s = true }, bs = { b = true, s = true } }

-- `o`: ordered, shipped, cancelled (numbers), currency, and whether the buyer asked to cancel and the seller
-- cancelled something.
local function order_parts(id, state)
  local ordered, shipped, cancelled, _, currency, flags = string.match(state, ORDER_STATE)
  if not ordered then error('order ' .. id .. ': damaged state field') end
  local set = FLAGS[flags] or FLAGS['']
  return num(ordered), num(shipped), num(cancelled), currency, set.b == true, set.s == true
end

local function order_text(ordered, shipped, cancelled, currency, buyer_asked, seller_cancelled)
  return int_str(ordered) .. '|' .. int_str(shipped) .. '|' .. int_str(cancelled) .. '|' .. order_status(ordered, shipped, cancelled)
    .. '|' .. currency .. '|' .. (buyer_asked and 'b' or '') .. (seller_cancelled and 's' or '')
end

-- `i:<code>`: ordered, shipped, cancelled (numbers), then the charged and refunded amounts and the SKU as text.
local function item_parts(code, packed)
  local ordered, shipped, cancelled, charged, refunded, sku = string.match(packed, ITEM_STATE)
  if not ordered then error('item ' .. code .. ': damaged field') end
  return num(ordered), num(shipped), num(cancelled), charged, refunded, sku
end

local function item_text(ordered, shipped, cancelled, charged, refunded, sku)
  return int_str(ordered) .. '|' .. int_str(shipped) .. '|' .. int_str(cancelled) .. '|' .. charged .. '|' .. refunded .. '|' .. sku
end

local function decode_order(key, id, state)
  local ordered, shipped, cancelled, currency, buyer_asked, seller_cancelled = order_parts(id, state)
  return {
    key = key, id = id, currency = currency, ordered = ordered, shipped = shipped, cancelled = cancelled,
    buyerCancelRequested = buyer_asked, sellerCancelled = seller_cancelled, items = {}, changed = {}, writes = {},
  }
end

local function encode_order(order)
  return order_text(order.ordered, order.shipped, order.cancelled, order.currency, order.buyerCancelRequested, order.sellerCancelled)
end

-- Charges are never changed in place (a re-import replaces the table), so one parse serves every item of the
-- call with the same charges: a seller cancelling the orders of a product it cannot ship sees the same ones often.
local charges_of = {}
local function parse_charges(text)
  local known = charges_of[text]
  if not known then
    local amounts, total = parse_amounts(text)
    known = { amounts, total }
    charges_of[text] = known
  end
  return known[1], known[2]
end

-- The item's amounts as the refund rules read them: charged and refunded per component, and their totals.
local function item_amounts(item, charged, refunded)
  item.charged, item.chargedTotal = parse_charges(charged)
  item.refunded, item.refundedTotal = parse_amounts(refunded)
  return item
end

local function decode_item(code, packed)
  local ordered, shipped, cancelled, charged, refunded, sku = item_parts(code, packed)
  -- Charges change only on re-import (which clears chargedText); written back as read, without re-formatting.
  local item = { code = code, sku = sku, ordered = ordered, shipped = shipped, cancelled = cancelled, chargedText = charged }
  return item_amounts(item, charged, refunded)
end

local function encode_item(item)
  return item_text(item.ordered, item.shipped, item.cancelled, item.chargedText or format_amounts(item.charged), format_amounts(item.refunded), item.sku)
end

local function item_fields(fields, codes)
  for i = 1, #codes do fields[#fields + 1] = 'i:' .. codes[i] end
  return fields
end

-- Decodes the items `codes` from their packed values, values[first + i] for codes[i] (false: no such item).
local function read_items(order, codes, values, first)
  for i = 1, #codes do
    if values[first + i] then order.items[codes[i]] = decode_item(codes[i], values[first + i]) end
  end
end

-- The order with the items `codes` (all of them when codes is nil), or nil when there is no such order.
-- `with_merchant_order_id` also reads the MerchantOrderID (only messages that name one need it).
local function load_order(key, codes, with_merchant_order_id)
  local fields = item_fields({ 'o', 'id' }, codes or {})
  if with_merchant_order_id then fields[#fields + 1] = 'merchantOrderId' end
  local v = redis.call('HMGET', key, unpack(fields))
  if not v[1] then return nil end
  local order = decode_order(key, v[2], v[1])
  if with_merchant_order_id then order.merchantOrderId = v[#fields] or nil end
  if codes then
    read_items(order, codes, v, 2)
  else
    order.itemOrder = split(redis.call('HGET', key, 'itemOrder'), ',')
    if #order.itemOrder > 0 then read_items(order, order.itemOrder, redis.call('HMGET', key, unpack(item_fields({}, order.itemOrder))), 0) end
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
  for i = 1, #items do codes[i] = item_code(order_key, items[i].code, items[i].merchantItemId) or false end
  return codes
end

local function known_codes(codes)
  local list = {}
  for i = 1, #codes do
    if codes[i] then list[#list + 1] = codes[i] end
  end
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
  local args, n = { 'o', encode_order(order) }, 2
  for code, item in pairs(order.changed) do
    args[n + 1], args[n + 2], n = 'i:' .. code, encode_item(item), n + 2
  end
  for field, value in pairs(order.writes) do
    args[n + 1], args[n + 2], n = field, value, n + 2
  end
  redis.call('HSET', order.key, unpack(args))
end

local function load_json(raw)
  if not raw then return nil end
  return cjson.decode(raw)
end

-- After a cancellation: NoInventory means the seller has none, so the SKU stops selling (quantity 0);
-- any other reason puts the units back. `record` is the SKU's stock record, read before anything was written
-- (and kept as written since). A SKU already at 0 is not written again: a seller out of stock of a SKU often
-- cancels many orders of it, and re-encoding and storing the same record is a sixth of such a cancellation's cost.
local function restock(stock_key, sku, record, units, reason)
  if reason == 'NoInventory' then
    if record.quantity == 0 then return end
    record.quantity = 0
  else
    record.quantity = (tonumber(record.quantity) or 0) + units
  end
  redis.call('HSET', stock_key, sku, cjson.encode(record))
end

-- The refund a buyer sees for cancelled units: what the message refunded, or else the units' share of the
-- item's charges (Amazon refunds a cancelled unit in full).
local function share_of_charges(item, units)
  return math.floor(item.chargedTotal * units / item.ordered)
end

-- The event of one cancellation, for the buyer's e-mail and the cancel-rate metric (notify/, cancel-rate.ts).
local function append_cancellation(ctx, message_key, order_id, code, sku, units, reason, source, note, refund, currency)
  redis.call('XADD', ctx.eventsKey, '*', 'type', 'cancellation', 'orderId', order_id, 'itemCode', code,
    'sku', sku, 'units', int_str(units), 'reason', reason or '', 'source', source,
    'feedId', ctx.feedId, 'messageId', message_key, 'at', ctx.at, 'note', note or '', 'refund', int_str(refund), 'currency', currency)
end

local function cancel_event(m, ctx, order, c, source, note)
  local item = order.items[c.code]
  append_cancellation(ctx, m.k, order.id, c.code, item.sku, c.units, c.reason, source, note, c.refund or share_of_charges(item, c.units), order.currency)
end

-- Cancel rate (docs/ledger-rules.md#the-cancel-rate): every cancellation is the seller's, except a buyer's
-- reason on an order that carries a buyer cancellation request.
local BUYER_REASONS = { BuyerCanceled = true, CustomerCancel = true }
local function by_seller(reason, buyer_asked)
  return not (BUYER_REASONS[reason or ''] and buyer_asked)
end

-- The SKU's stock record (decoded: a damaged one raises its error here, before the message writes anything).
local function read_stock(stock_key, sku)
  return load_json(redis.call('HGET', stock_key, sku)) or { sku = sku }
end

-- Saves the order, then restocks and records an event for every cancellation; an order any of whose
-- cancellations was the seller's is marked `sellerCancelled` for the cancel-rate metric.
local function save_with_cancellations(m, ctx, order, cancellations, source, note)
  for i = 1, #cancellations do
    if by_seller(cancellations[i].reason, order.buyerCancelRequested) then order.sellerCancelled = true end
  end
  -- Every stock record is read and decoded before the first write: a damaged one raises its error (a poison
  -- message, see apply-worker.ts) while the message has still changed nothing.
  local stock = {}
  for i = 1, #cancellations do
    local sku = order.items[cancellations[i].code].sku
    stock[sku] = stock[sku] or read_stock(ctx.stockKey, sku)
  end
  save_order(order)
  for i = 1, #cancellations do
    local c = cancellations[i]
    local sku = order.items[c.code].sku
    restock(ctx.stockKey, sku, stock[sku], c.units, c.reason)
    cancel_event(m, ctx, order, c, source, note)
  end
end
