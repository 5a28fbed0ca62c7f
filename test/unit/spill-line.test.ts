/**
 * Spilled messages go to Redis as lines (spill-line.ts): the commonest adjustment as tab-separated fields, the
 * rest as JSON. Whatever the form, a message reads back exactly as it was written.
 */
import type { LedgerCommand } from '../../src/apply/commands.js';
import { parseSpillLine, spillLine } from '../../src/queue/spill-line.js';

const single = (extra: Record<string, unknown> = {}, item: Record<string, unknown> = {}): LedgerCommand =>
  ({
    kind: 'adjustment',
    order: { amazonOrderId: '171-0000001-0000001' },
    currency: 'EUR',
    items: [
      {
        code: '11111111111111',
        reason: 'NoInventory',
        components: [
          { type: 'Principal', amount: '1999' },
          { type: 'Promotion:Tax', amount: '-20' },
        ],
        quantityCancelled: 1,
        ...item,
      },
    ],
    ...extra,
  }) as LedgerCommand;

const roundTrip = (command: LedgerCommand, messageId = '7') =>
  parseSpillLine(spillLine({ seq: 42, messageId, command }));

it('writes a single-item adjustment compactly and reads it back unchanged', () => {
  const line = spillLine({ seq: 42, messageId: '7', command: single() });
  expect(line).toBe(
    'a\t42\t7\t171-0000001-0000001\t11111111111111\tNoInventory\t1\tEUR\tPrincipal=1999,Promotion:Tax=-20',
  );
  expect(parseSpillLine(line)).toEqual({ seq: 42, messageId: '7', command: single() });
});

it('keeps a missing currency and no components', () => {
  const command = single({ currency: undefined }, { components: [], quantityCancelled: 2 });
  delete (command as { currency?: string }).currency;
  expect(roundTrip(command)).toEqual({ seq: 42, messageId: '7', command });
  expect(Object.keys(roundTrip(command).command)).not.toContain('currency');
});

it('writes every other message, and values the compact form cannot hold, as JSON', () => {
  const others: LedgerCommand[] = [
    single({ order: { amazonOrderId: '171-0000001-0000001', merchantOrderId: 'MO-1' } }),
    single({}, { adjId: 'ADJ-1' }),
    single({}, { merchantItemId: 'MI-1', code: undefined }),
    single({}, { reason: 'Other\tReason' }),
    single({}, { components: [{ type: 'A=B', amount: '1' }] }),
    single({ currency: '' }),
    {
      ...(single() as Extract<LedgerCommand, { kind: 'adjustment' }>),
      items: [
        ...(single() as Extract<LedgerCommand, { kind: 'adjustment' }>).items,
        ...(single() as Extract<LedgerCommand, { kind: 'adjustment' }>).items,
      ],
    },
    { kind: 'inventory', operation: 'Update', sku: 'SKU\t1', fields: { quantity: 3 } },
    {
      kind: 'fulfillment',
      order: { amazonOrderId: '171-0000001-0000001' },
      fulfillmentDate: '2026-12-03T10:00:00Z',
      items: [],
    },
  ];
  for (const command of others) {
    const line = spillLine({ seq: 1, messageId: '1', command });
    expect(line.startsWith('{')).toBe(true);
    expect(line).not.toContain('\n');
    expect(parseSpillLine(line)).toEqual({ seq: 1, messageId: '1', command });
  }
  expect(spillLine({ seq: 1, messageId: 'line\nbreak', command: single() }).startsWith('{')).toBe(true);
});
