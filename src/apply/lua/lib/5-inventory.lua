--[[
  One Inventory message on the merchant's stock. Update replaces the SKU's record (fields not given are
  erased), PartialUpdate overwrites only the fields given, Delete removes the record.
  m.p: operation, sku, fields{quantity?, available?, lookup?, fulfillmentLatency?, restockDate?,
       fulfillmentChannel?, fulfillmentCenterId?, price?}
  Outcomes: "0".
]]
local function apply_inventory(m, ctx)
  local update = m.p
  if update.operation == 'Delete' then
    redis.call('HDEL', ctx.stockKey, update.sku)
    return '0'
  end
  local record = { sku = update.sku }
  if update.operation == 'PartialUpdate' then record = load_json(redis.call('HGET', ctx.stockKey, update.sku)) or record end
  for field, value in pairs(update.fields) do record[field] = value end
  redis.call('HSET', ctx.stockKey, update.sku, cjson.encode(record))
  return '0'
end
