--[[
  One OrderFulfillment message: ships the listed items (Quantity units, or all their open units) or, without
  items, every open unit of the order.
  m.p: merchantOrderId?, fulfillmentDate, carrier?, trackingNumber?, items[{code? | merchantItemId?, quantity?}]
  Outcomes: "0"; "-1" no such order; "-2|ref" no such item; "-10|asked|open" more than open.
]]
local function ship(item, units, shipment)
  local open = open_units(item)
  if units == nil then units = open end
  if units == 0 or units > open then return '-10|' .. units .. '|' .. open end
  item.shipped = item.shipped + units
  item.lastShipment = { date = shipment.fulfillmentDate, carrier = shipment.carrier, trackingNumber = shipment.trackingNumber }
  return nil
end

local function apply_fulfillment(m)
  local shipment = m.p
  local order = load_order(m.orderKey)
  if not order then return '-1' end
  if shipment.merchantOrderId and shipment.merchantOrderId ~= order.merchantOrderId then return '-1' end
  if #shipment.items == 0 then
    local shipped_any = false
    for _, code in ipairs(order.itemOrder) do
      if open_units(order.items[code]) > 0 then
        ship(order.items[code], nil, shipment)
        shipped_any = true
      end
    end
    if not shipped_any then return '-10|0|0' end
  else
    for _, listed in ipairs(shipment.items) do
      local item = find_item(order, listed.code, listed.merchantItemId)
      if not item then return '-2|' .. tostring(listed.code or listed.merchantItemId) end
      local refused = ship(item, listed.quantity, shipment)
      if refused then return refused end
    end
  end
  save_order(m.orderKey, order)
  return '0'
end
