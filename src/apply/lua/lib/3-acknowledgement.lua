--[[
  One OrderAcknowledgement message. Success maps MerchantOrderID / MerchantOrderItemID for later feeds;
  Failure cancels the listed items (all their open units, or Quantity of them) or, without items, the whole
  order — refused once anything it would cancel has shipped, since that would refund shipped goods.
  m.p: statusCode, merchantOrderId?, items[{code, merchantItemId?, reason?, quantity?}], and for the seller's
       own "Cancel order": reason? (of a whole-order cancellation), note?, source? ("seller");
  KEYS[m.x]: the MerchantOrderID's mapping key when the message names one.
  Outcomes: "0"; "-1" no such order; "-2|code" no such item; "-7|asked|open" more than open;
    "-9|code" the item (or, code "order", the order) has shipped units; "-11" nothing left to cancel.
]]
--- @include "1-prelude"
-- Cancellations of a Failure: the listed items, or every open unit of an order with nothing shipped.
local function failure_cancellations(order, items, reason)
  local cancellations = {}
  if #items == 0 then
    for _, code in ipairs(order.itemOrder) do
      if order.items[code].shipped > 0 then return nil, '-9|order' end
      local open = open_units(order.items[code])
      if open > 0 then table.insert(cancellations, { code = code, units = open, reason = reason }) end
    end
    if #cancellations == 0 then return nil, '-11' end
    for _, c in ipairs(cancellations) do cancel_units(order, order.items[c.code], c.units) end
    return cancellations, nil
  end
  for _, listed in ipairs(items) do
    local item = order.items[listed.code]
    if not item then return nil, '-2|' .. listed.code end
    if item.shipped > 0 then return nil, '-9|' .. listed.code end
    local open = open_units(item)
    local units = listed.quantity or open
    if units > open then return nil, '-7|' .. units .. '|' .. open end
    if units == 0 then return nil, '-11' end
    cancel_units(order, item, units)
    table.insert(cancellations, { code = listed.code, units = units, reason = listed.reason })
  end
  return cancellations, nil
end

local function listed_codes(items)
  local codes = {}
  for i, listed in ipairs(items) do codes[i] = listed.code end
  return codes
end

local function apply_acknowledgement(m, ctx)
  local ack = m.p
  local whole_order = ack.statusCode == 'Failure' and #ack.items == 0
  local order = load_order(KEYS[m.o], (not whole_order) and listed_codes(ack.items) or nil)
  if not order then return '-1' end
  local cancellations = {}
  if ack.statusCode == 'Failure' then
    local refused
    cancellations, refused = failure_cancellations(order, ack.items, ack.reason)
    if refused then return refused end
  else
    for _, listed in ipairs(ack.items) do
      if not order.items[listed.code] then return '-2|' .. listed.code end
      if listed.merchantItemId then
        order.writes['i:' .. listed.code .. ':mi'] = listed.merchantItemId
        order.writes['mi:' .. listed.merchantItemId] = listed.code
      end
    end
  end
  if ack.merchantOrderId then
    order.writes.merchantOrderId = ack.merchantOrderId
    redis.call('SET', KEYS[m.x], order.id)
  end
  if ack.note and #cancellations > 0 then order.writes.sellerNote = ack.note end
  save_with_cancellations(m, ctx, order, cancellations, ack.source or 'acknowledgement', ack.note)
  return '0'
end
