--[[
  Applies one Inventory message to the merchant's stock.
  Update replaces the SKU's record (fields not given are erased), PartialUpdate overwrites only the fields given,
  Delete removes the record.
  Input:
    KEYS[1] the merchant's stock hash   KEYS[2] the feed's applied
    ARGV[1] message id   ARGV[2] feed id   ARGV[3] time (ISO 8601)
    ARGV[4] JSON: operation, sku, fields{quantity?, available?, lookup?, fulfillmentLatency?, restockDate?,
            fulfillmentChannel?, fulfillmentCenterId?, price?}
  Output (stored in KEYS[2]): "0".
  Idempotent per (feed, message).
]]
local done = stored_outcome(KEYS[2], ARGV[1])
if done then return done end

local update = cjson.decode(ARGV[4])
if update.operation == 'Delete' then
  redis.call('HDEL', KEYS[1], update.sku)
else
  local record = { sku = update.sku }
  if update.operation == 'PartialUpdate' then
    record = load_json(redis.call('HGET', KEYS[1], update.sku)) or record
  end
  for field, value in pairs(update.fields) do record[field] = value end
  redis.call('HSET', KEYS[1], update.sku, cjson.encode(record))
end
return store_outcome(KEYS[2], ARGV[1], '0')
