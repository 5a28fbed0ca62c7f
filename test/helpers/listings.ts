/**
 * JSON_LISTINGS_FEED documents for tests, and Amazon's own schemas of the feed and of its processing report
 * (test/fixtures/third-party/sp-api/, Apache-2.0, unchanged), compiled with Ajv's draft-07 class as they declare.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from './cli.js';

export const SP_API_FIXTURES = `${REPO_ROOT}test/fixtures/third-party/sp-api/`;

export type ListingsMessage = Record<string, unknown>;

export function listingsFeed(sellerId: string, messages: readonly ListingsMessage[]): string {
  return `${JSON.stringify({ header: { sellerId, version: '2.0', issueLocale: 'en_US' }, messages }, null, 2)}\n`;
}

export const availability = (quantity: number, extra: Record<string, unknown> = {}): unknown[] => [
  { fulfillment_channel_code: 'DEFAULT', quantity, ...extra },
];

export const offer = (
  currency: string,
  price: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  currency,
  our_price: [{ schedule: [{ value_with_tax: price }] }],
  ...extra,
});

export function update(
  messageId: number,
  sku: string,
  attributes: Record<string, unknown>,
  operationType: 'UPDATE' | 'PARTIAL_UPDATE' = 'UPDATE',
): ListingsMessage {
  return { messageId, sku, operationType, productType: 'HOME', attributes };
}

export function patch(messageId: number, sku: string, patches: unknown[]): ListingsMessage {
  return { messageId, sku, operationType: 'PATCH', productType: 'HOME', patches };
}

export const remove = (messageId: number, sku: string): ListingsMessage => ({
  messageId,
  sku,
  operationType: 'DELETE',
});

function amazonSchema(file: string): ValidateFunction {
  // Amazon's schemas carry annotations Ajv's strict mode does not know (`example`); they are read as they are.
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(readFileSync(`${SP_API_FIXTURES}${file}`, 'utf8')) as object);
}

export const amazonFeedSchema = (): ValidateFunction => amazonSchema('listings-feed-schema-v2.json');
export const amazonReportSchema = (): ValidateFunction =>
  amazonSchema('listings-feed-processing-report-schema-v2.json');

/** Amazon's example feed with the seller id the test submits as. */
export function amazonExampleFeed(sellerId: string): string {
  const example = JSON.parse(readFileSync(`${SP_API_FIXTURES}listings-feed-schema-v2.example.json`, 'utf8')) as {
    header: { sellerId: string };
  };
  example.header.sellerId = sellerId;
  return JSON.stringify(example, null, 2);
}

export interface ListingsReport {
  header: { sellerId: string; version: string; feedId: string };
  issues: Array<{
    messageId?: number;
    sku?: string;
    code: string;
    severity: 'ERROR' | 'WARNING' | 'INFO';
    message: string;
    attributeName?: string;
  }>;
  summary: {
    errors: number;
    warnings: number;
    messagesProcessed: number;
    messagesAccepted: number;
    messagesInvalid: number;
  };
}
