--[[
  One inventory message on the merchant's stock: an XML Inventory message, a flat inventory row, or a JSON
  listings message. Update replaces the SKU's record (fields not given are erased), PartialUpdate overwrites only
  the fields given, Delete removes the record. A JSON listing may also name fields to erase (`unset`, applied
  before `fields`) and change the record's prices, kept per currency in minor units as text.
  m.p: operation, sku, fields{quantity?, available?, lookup?, fulfillmentLatency?, restockDate?,
       fulfillmentChannel?, fulfillmentCenterId?, price?}, unset?[field], prices?{clear, unset[currency],
       set{currency = minor}}
  Outcomes: "0".
]]
--- @include "1-prelude"
-- The record's prices after a change: all dropped when `clear`, then `unset` dropped, then `set` written; nil
-- when none is left (an empty table would encode as an empty object or array alike).
local function changed_prices(kept, change)
  local prices, any = {}, false
  if not change.clear and type(kept) == 'table' then
    for currency, minor in pairs(kept) do prices[currency] = minor end
  end
  for i = 1, #change.unset do prices[change.unset[i]] = nil end
  for currency, minor in pairs(change.set) do prices[currency] = minor end
  for _ in pairs(prices) do any = true end
  if any then return prices end
  return nil
end

local function apply_inventory(m, ctx)
  local update = m.p
  if update.operation == 'Delete' then
    redis.call('HDEL', ctx.stockKey, update.sku)
    return '0'
  end
  local record = { sku = update.sku }
  if update.operation == 'PartialUpdate' then record = load_json(redis.call('HGET', ctx.stockKey, update.sku)) or record end
  local unset = update.unset or {}
  for i = 1, #unset do record[unset[i]] = nil end
  for field, value in pairs(update.fields) do record[field] = value end
  if update.prices then record.prices = changed_prices(record.prices, update.prices) end
  redis.call('HSET', ctx.stockKey, update.sku, cjson.encode(record))
  return '0'
end
