--[[
  Applies one OrderAcknowledgement message. Success maps MerchantOrderID / MerchantOrderItemID for later feeds;
  Failure cancels the listed items (all their open units, or Quantity of them) or, without items, the whole
  order — refused once anything it would cancel has shipped, since that would refund shipped goods.
  Input:
    KEYS[1] the order   KEYS[2] stock hash   KEYS[3] the feed's applied   KEYS[4] events stream
    KEYS[5] the MerchantOrderID mapping key (any key of the merchant when the message has none)
    ARGV[1] message id   ARGV[2] feed id   ARGV[3] time (ISO 8601)
    ARGV[4] JSON: statusCode, merchantOrderId?, items[{code, merchantItemId?, reason?, quantity?}]
  Output (stored in KEYS[3]): "0"; "-1" no such order; "-2|code" no such item; "-7|asked|open" more than open;
    "-9|code" the item (or, code "order", the order) has shipped units; "-11" nothing left to cancel.
  Idempotent per (feed, message).
]]
local done = stored_outcome(KEYS[3], ARGV[1])
if done then return done end
local function finish(outcome) return store_outcome(KEYS[3], ARGV[1], outcome) end

local ack = cjson.decode(ARGV[4])
local order = load_json(redis.call('GET', KEYS[1]))
if not order then return finish('-1') end

local cancellations = {}
if ack.statusCode == 'Failure' then
  if #ack.items == 0 then
    for _, code in ipairs(order.itemOrder) do
      if order.items[code].shipped > 0 then return finish('-9|order') end
      local open = open_units(order.items[code])
      if open > 0 then table.insert(cancellations, { code = code, units = open }) end
    end
    if #cancellations == 0 then return finish('-11') end
  else
    for _, listed in ipairs(ack.items) do
      local item = order.items[listed.code]
      if not item then return finish('-2|' .. listed.code) end
      if item.shipped > 0 then return finish('-9|' .. listed.code) end
      local open = open_units(item)
      local units = listed.quantity or open
      if units > open then return finish('-7|' .. units .. '|' .. open) end
      if units == 0 then return finish('-11') end
      item.cancelled = item.cancelled + units
      table.insert(cancellations, { code = listed.code, units = units, reason = listed.reason })
    end
  end
  if #ack.items == 0 then
    for _, c in ipairs(cancellations) do order.items[c.code].cancelled = order.items[c.code].cancelled + c.units end
  end
else
  for _, listed in ipairs(ack.items) do
    local item = order.items[listed.code]
    if not item then return finish('-2|' .. listed.code) end
    if listed.merchantItemId then item.merchantItemId = listed.merchantItemId end
  end
end

if ack.merchantOrderId then
  order.merchantOrderId = ack.merchantOrderId
  redis.call('SET', KEYS[5], order.id)
end
save_with_cancellations({ order = KEYS[1], stock = KEYS[2], events = KEYS[4] }, order, cancellations, 'acknowledgement', ARGV[2], ARGV[1], ARGV[3])
return finish('0')
