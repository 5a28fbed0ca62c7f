--[[
  One OrderAdjustment message (refunds and QuantityCancelled) against one order, all or nothing.
  m.p: merchantOrderId?, currency?, items[{code? | merchantItemId?, reason, adjId?,
       components ("Type=minor,Type=minor", "" for none), quantityCancelled}]
  Outcomes: "0" applied; "-1" no such order; "-2|ref" no such item; "-3|given|order" currency differs;
    "-4|type|remaining|currency" a component above what remains refundable of it; "-5|net|currency" net not
    positive (or nothing to adjust); "-6|net|remaining|currency" net above the item's remaining balance;
    "-7|asked|open" more cancelled than open; "-8|id" MerchantAdjustmentItemID already used for the item.
]]
--- @include "1-prelude"
local CHARGED = { Principal = true, Tax = true, Shipping = true, ShippingTax = true, GiftWrap = true, GiftWrapTax = true }

local function balance(item)
  return item.chargedTotal - item.refundedTotal
end

-- Books the components on the item: nil, the net and whether the components' own text is the item's refunded
-- text now (nothing refunded before, each component once, in name order, amounts written as int_str writes
-- them: the text format_amounts would build); or the refusal.
local function refund_components(item, components, currency)
  local net, remaining = 0, balance(item)
  local verbatim, previous, rebuilt = item.refundedTotal == 0 and next(item.refunded) == nil, '', ''
  for name, text in string.gmatch(components, '([^=,]+)=([^,]*)') do
    local amount = money(text)
    local refunded = money(item.refunded[name])
    if CHARGED[name] then
      local left = money(item.charged[name]) - refunded
      if amount > left or refunded + amount < 0 then return '-4|' .. name .. '|' .. int_str(left) .. '|' .. currency end
    end
    item.refunded[name] = int_str(refunded + amount)
    item.refundedTotal = item.refundedTotal + amount
    net = net + amount
    if verbatim then
      verbatim = name > previous and int_str(amount) == text
      rebuilt = (rebuilt == '' and '' or rebuilt .. ',') .. name .. '=' .. text
    end
    previous = name
  end
  -- A piece the pattern skipped (a component type holding "," or "=") must not slip into the stored text.
  verbatim = verbatim and rebuilt == components
  if net <= 0 then return '-5|' .. int_str(net) .. '|' .. currency end
  if net > remaining then return '-6|' .. int_str(net) .. '|' .. int_str(remaining) .. '|' .. currency end
  return nil, net, verbatim
end

-- A MerchantAdjustmentItemID already used for the item, before or earlier in this message.
local function adjustment_id_used(order, code, adj_id, seen)
  local field = 'i:' .. code .. ':adj:' .. adj_id
  if seen[field] or redis.call('HEXISTS', order.key, field) == 1 then return true end
  seen[field] = true
  order.writes[field] = '1'
  return false
end

local function apply_adjustment(m, ctx)
  local adjustment = m.p
  local codes = listed_item_codes(KEYS[m.o], adjustment.items)
  local order = load_order(KEYS[m.o], known_codes(codes), adjustment.merchantOrderId ~= nil)
  if not order then return '-1' end
  if adjustment.merchantOrderId and adjustment.merchantOrderId ~= order.merchantOrderId then return '-1' end
  if adjustment.currency and adjustment.currency ~= order.currency then
    return '-3|' .. adjustment.currency .. '|' .. order.currency
  end
  local cancellations, seen = {}, {}
  for i = 1, #adjustment.items do
    local adjusted, code = adjustment.items[i], codes[i]
    local item = code and order.items[code]
    if not item then return '-2|' .. tostring(adjusted.code or adjusted.merchantItemId) end
    if adjusted.adjId and adjustment_id_used(order, code, adjusted.adjId, seen) then return '-8|' .. adjusted.adjId end
    local units = adjusted.quantityCancelled or 0
    local has_components = adjusted.components ~= ''
    if not has_components and units == 0 then return '-5|0|' .. order.currency end
    local refund = 0
    if has_components then
      local refused
      refused, refund = refund_components(item, adjusted.components, order.currency)
      if refused then return refused end
      order.changed[code] = item
    end
    if units > 0 then
      if units > open_units(item) then return '-7|' .. units .. '|' .. open_units(item) end
      cancel_units(order, item, units)
      -- Without amounts the message is a plain cancellation: the buyer gets the units' share of the charges.
      cancellations[#cancellations + 1] = { code = code, units = units, reason = adjusted.reason, refund = has_components and refund or nil }
    end
  end
  save_with_cancellations(m, ctx, order, cancellations, 'adjustment')
  return '0'
end

--[[
  The shape of nearly every adjustment (a flat file's row always has it): one item named by its
  AmazonOrderItemCode, without MerchantOrderID or MerchantAdjustmentItemID; message-batch.ts sends it as the
  kind "adjustment1" with one field, "code|reason|quantityCancelled|currency|components". The same rules,
  checks in the same order and the same outcomes as apply_adjustment, read straight from that field and the
  order's two packed fields instead of building the order and the message as tables: a cancellation costs Redis
  about a quarter less. test/integration/ledger-shortcut.test.ts checks that both give the same ledger.
]]
local SINGLE_ITEM = '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$'

local function apply_single_item_adjustment(m, ctx)
  local code, reason, quantity, currency, components = string.match(m.p, SINGLE_ITEM)
  if not code then error('damaged adjustment1 field') end
  local key = KEYS[m.o]
  local v = redis.call('HMGET', key, 'o', 'id', 'i:' .. code)
  if not v[1] then return '-1' end
  local id = v[2]
  local o_ordered, o_shipped, o_cancelled, o_currency, buyer_asked, seller_cancelled = order_parts(id, v[1])
  local ordered, shipped, cancelled, charged, refunded, sku
  if v[3] then ordered, shipped, cancelled, charged, refunded, sku = item_parts(code, v[3]) end
  if currency ~= '' and currency ~= o_currency then return '-3|' .. currency .. '|' .. o_currency end
  if not v[3] then return '-2|' .. code end
  local units = num(quantity) or 0
  local has_components = components ~= ''
  if not has_components and units == 0 then return '-5|0|' .. o_currency end
  local item = item_amounts({}, charged, refunded)
  local refund = 0
  if has_components then
    local refused, verbatim
    refused, refund, verbatim = refund_components(item, components, o_currency)
    if refused then return refused end
    refunded = verbatim and components or format_amounts(item.refunded)
  end
  local stock
  if units > 0 then
    local open = ordered - shipped - cancelled
    if units > open then return '-7|' .. units .. '|' .. open end
    cancelled, o_cancelled = cancelled + units, o_cancelled + units
    if by_seller(reason, buyer_asked) then seller_cancelled = true end
    stock = read_stock(ctx.stockKey, sku)
  end
  redis.call('HSET', key, 'o', order_text(o_ordered, o_shipped, o_cancelled, o_currency, buyer_asked, seller_cancelled),
    'i:' .. code, item_text(ordered, shipped, cancelled, charged, refunded, sku))
  if units > 0 then
    restock(ctx.stockKey, sku, stock, units, reason)
    if not has_components then refund = math.floor(item.chargedTotal * units / ordered) end
    append_cancellation(ctx, m.k, id, code, sku, units, reason, 'adjustment', nil, refund, o_currency)
  end
  return '0'
end
