--[[
  Creates or refreshes one order from Amazon's order report.
  Input:
    KEYS[1] the order key
    ARGV[1] the order as JSON: id, merchantId, currency, purchaseDate, buyerEmail, buyerName, marketplace,
            buyerCancelRequested, itemOrder, items{code: {sku, ordered, charged{Component: minor units}}}
  Output: "created" | "updated" | "unchanged"
  Re-importing never undoes shipments, cancellations or refunds: those counts are kept, and an item is never
  made smaller than what already happened to it.
]]
local incoming = cjson.decode(ARGV[1])
local existing = load_json(redis.call('GET', KEYS[1]))
if not existing then
  for _, code in ipairs(incoming.itemOrder) do
    local item = incoming.items[code]
    item.shipped, item.cancelled, item.refunded, item.adjIds = 0, 0, {}, {}
  end
  incoming.status = order_status(incoming)
  redis.call('SET', KEYS[1], cjson.encode(incoming))
  return 'created'
end
-- cjson does not keep key order, so "changed" is decided field by field rather than by comparing JSON text.
local changed = false
local function set(target, field, value)
  if target[field] ~= value then
    target[field] = value
    changed = true
  end
end
local function same_amounts(a, b)
  for k, v in pairs(a) do if b[k] ~= v then return false end end
  for k, v in pairs(b) do if a[k] ~= v then return false end end
  return true
end
for _, field in ipairs({ 'purchaseDate', 'buyerEmail', 'buyerName', 'marketplace', 'buyerCancelRequested' }) do
  if incoming[field] ~= nil then set(existing, field, incoming[field]) end
end
for _, code in ipairs(incoming.itemOrder) do
  local fresh = incoming.items[code]
  local item = existing.items[code]
  if not item then
    fresh.shipped, fresh.cancelled, fresh.refunded, fresh.adjIds = 0, 0, {}, {}
    existing.items[code] = fresh
    table.insert(existing.itemOrder, code)
    changed = true
  else
    set(item, 'sku', fresh.sku)
    if not same_amounts(item.charged, fresh.charged) then
      item.charged = fresh.charged
      changed = true
    end
    set(item, 'ordered', math.max(fresh.ordered, item.shipped + item.cancelled))
  end
end
if not changed then return 'unchanged' end
existing.status = order_status(existing)
redis.call('SET', KEYS[1], cjson.encode(existing))
return 'updated'
