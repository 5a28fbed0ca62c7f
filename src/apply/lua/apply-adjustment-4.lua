--[[
  Applies one OrderAdjustment message (refunds and QuantityCancelled) to one order, all or nothing.
  Input:
    KEYS[1] the order            KEYS[2] the merchant's stock hash
    KEYS[3] the feed's applied   KEYS[4] the merchant's events stream
    ARGV[1] message id   ARGV[2] feed id   ARGV[3] time (ISO 8601)
    ARGV[4] the adjustment as JSON: merchantOrderId?, currency?, items[{code? | merchantItemId?, reason, adjId?,
            components[{type, amount (minor units, string)}], quantityCancelled}]
  Output: the outcome, also stored under the message id in KEYS[3]:
    "0" applied; "-1" no such order; "-2|ref" no such item; "-3|given|order" currency differs;
    "-4|type|remaining|currency" a component above what remains refundable of it; "-5|net|currency" net not
    positive (or nothing to adjust); "-6|net|remaining|currency" net above the item's remaining balance; "-7|asked|open" more cancelled than open;
    "-8|id" MerchantAdjustmentItemID already used for the item.
  Idempotent per (feed, message): a second call returns the stored outcome and changes nothing.
]]
local done = stored_outcome(KEYS[3], ARGV[1])
if done then return done end
local function finish(outcome) return store_outcome(KEYS[3], ARGV[1], outcome) end

local CHARGED = { Principal = true, Tax = true, Shipping = true, ShippingTax = true, GiftWrap = true, GiftWrapTax = true }
local adjustment = cjson.decode(ARGV[4])
local order = load_json(redis.call('GET', KEYS[1]))
if not order then return finish('-1') end
if adjustment.merchantOrderId and adjustment.merchantOrderId ~= order.merchantOrderId then return finish('-1') end
if adjustment.currency and adjustment.currency ~= order.currency then
  return finish('-3|' .. adjustment.currency .. '|' .. order.currency)
end

local function balance(item)
  local total = 0
  for _, amount in pairs(item.charged) do total = total + money(amount) end
  for _, amount in pairs(item.refunded) do total = total - money(amount) end
  return total
end

local cancellations = {}
for _, adjusted in ipairs(adjustment.items) do
  local item, code = find_item(order, adjusted.code, adjusted.merchantItemId)
  if not item then return finish('-2|' .. tostring(adjusted.code or adjusted.merchantItemId)) end
  if adjusted.adjId then
    if item.adjIds[adjusted.adjId] then return finish('-8|' .. adjusted.adjId) end
    item.adjIds[adjusted.adjId] = true
  end
  local units = adjusted.quantityCancelled or 0
  if #adjusted.components == 0 and units == 0 then return finish('-5|0|' .. order.currency) end
  if #adjusted.components > 0 then
    local net, remaining = 0, balance(item)
    for _, component in ipairs(adjusted.components) do
      local amount = money(component.amount)
      local refunded = money(item.refunded[component.type])
      if CHARGED[component.type] then
        local left = money(item.charged[component.type]) - refunded
        if amount > left or refunded + amount < 0 then return finish('-4|' .. component.type .. '|' .. money_str(left) .. '|' .. order.currency) end
      end
      item.refunded[component.type] = money_str(refunded + amount)
      net = net + amount
    end
    if net <= 0 then return finish('-5|' .. money_str(net) .. '|' .. order.currency) end
    if net > remaining then return finish('-6|' .. money_str(net) .. '|' .. money_str(remaining) .. '|' .. order.currency) end
  end
  if units > 0 then
    if units > open_units(item) then return finish('-7|' .. units .. '|' .. open_units(item)) end
    item.cancelled = item.cancelled + units
    table.insert(cancellations, { code = code, units = units, reason = adjusted.reason })
  end
end

save_with_cancellations({ order = KEYS[1], stock = KEYS[2], events = KEYS[4] }, order, cancellations, 'adjustment', ARGV[2], ARGV[1], ARGV[3])
return finish('0')
