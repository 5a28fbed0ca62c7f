--[[
  Applies one OrderFulfillment message: ships the listed items (Quantity units, or all their open units) or,
  without items, every open unit of the order.
  Input:
    KEYS[1] the order   KEYS[2] the feed's applied
    ARGV[1] message id   ARGV[2] feed id   ARGV[3] time (ISO 8601)
    ARGV[4] JSON: merchantOrderId?, fulfillmentDate, carrier?, trackingNumber?, items[{code? | merchantItemId?, quantity?}]
  Output (stored in KEYS[2]): "0"; "-1" no such order; "-2|ref" no such item; "-10|asked|open" more than open.
  Idempotent per (feed, message).
]]
local done = stored_outcome(KEYS[2], ARGV[1])
if done then return done end
local function finish(outcome) return store_outcome(KEYS[2], ARGV[1], outcome) end

local shipment = cjson.decode(ARGV[4])
local order = load_json(redis.call('GET', KEYS[1]))
if not order then return finish('-1') end
if shipment.merchantOrderId and shipment.merchantOrderId ~= order.merchantOrderId then return finish('-1') end

local function ship(item, units)
  local open = open_units(item)
  if units == nil then units = open end
  if units == 0 or units > open then return '-10|' .. units .. '|' .. open end
  item.shipped = item.shipped + units
  item.lastShipment = { date = shipment.fulfillmentDate, carrier = shipment.carrier, trackingNumber = shipment.trackingNumber }
  return nil
end

if #shipment.items == 0 then
  local shipped_any = false
  for _, code in ipairs(order.itemOrder) do
    if open_units(order.items[code]) > 0 then
      ship(order.items[code], nil)
      shipped_any = true
    end
  end
  if not shipped_any then return finish('-10|0|0') end
else
  for _, listed in ipairs(shipment.items) do
    local item = find_item(order, listed.code, listed.merchantItemId)
    if not item then return finish('-2|' .. tostring(listed.code or listed.merchantItemId)) end
    local refused = ship(item, listed.quantity)
    if refused then return finish(refused) end
  end
end

order.status = order_status(order)
redis.call('SET', KEYS[1], cjson.encode(order))
return finish('0')
