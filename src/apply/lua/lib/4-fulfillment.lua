--[[
  One OrderFulfillment message: ships the listed items (Quantity units, or all their open units) or, without
  items, every open unit of the order.
  m.p: merchantOrderId?, fulfillmentDate, carrier?, trackingNumber?, items[{code? | merchantItemId?, quantity?}]
  Outcomes: "0"; "-1" no such order; "-2|ref" no such item; "-10|asked|open" more than open.
]]
--- @include "1-prelude"
local function ship(order, item, units, shipment)
  local open = open_units(item)
  if units == nil then units = open end
  if units == 0 or units > open then return '-10|' .. units .. '|' .. open end
  ship_units(order, item, units)
  local last = { date = shipment.fulfillmentDate, carrier = shipment.carrier, trackingNumber = shipment.trackingNumber }
  order.writes['i:' .. item.code .. ':ship'] = cjson.encode(last)
  return nil
end

local function apply_fulfillment(m, ctx)
  local shipment = m.p
  local codes = #shipment.items > 0 and listed_item_codes(KEYS[m.o], shipment.items) or nil
  local order = load_order(KEYS[m.o], codes and known_codes(codes) or nil, shipment.merchantOrderId ~= nil)
  if not order then return '-1' end
  if shipment.merchantOrderId and shipment.merchantOrderId ~= order.merchantOrderId then return '-1' end
  if not codes then
    local shipped_any = false
    for _, code in ipairs(order.itemOrder) do
      if open_units(order.items[code]) > 0 then
        ship(order, order.items[code], nil, shipment)
        shipped_any = true
      end
    end
    if not shipped_any then return '-10|0|0' end
  else
    for i, listed in ipairs(shipment.items) do
      local item = codes[i] and order.items[codes[i]]
      if not item then return '-2|' .. tostring(listed.code or listed.merchantItemId) end
      local refused = ship(order, item, listed.quantity, shipment)
      if refused then return refused end
    end
  end
  save_order(order)
  return '0'
end
