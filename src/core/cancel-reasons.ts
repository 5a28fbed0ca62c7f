/**
 * The acknowledgement `CancelReason` values (amzn-base.xsd / OrderAcknowledgement.xsd, the same list as
 * schemas/order-acknowledgement.schema.json; a test keeps them equal): what a seller may give when cancelling.
 */
export const CANCEL_REASONS = Object.freeze([
  'NoInventory',
  'ShippingAddressUndeliverable',
  'CustomerExchange',
  'BuyerCanceled',
  'GeneralAdjustment',
  'CarrierCreditDecision',
  'RiskAssessmentInformationNotValid',
  'CarrierCoverageFailure',
  'CustomerReturn',
  'MerchandiseNotReceived',
  'CannotVerifyInformation',
  'PricingError',
  'RejectOrder',
  'WeatherDelay',
] as const);

export type CancelReason = (typeof CANCEL_REASONS)[number];

export function isCancelReason(value: string): value is CancelReason {
  return (CANCEL_REASONS as readonly string[]).includes(value);
}
