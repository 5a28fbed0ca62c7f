/**
 * Finds the layout of a tab-delimited feed from its first lines (docs/formats-and-validation.md#reading-files): an
 * optional `TemplateType=` row, optional human-label rows, then the row of machine column names — recognised because
 * it holds known column names rather than by its position. Then decides the flat feed kind from the template name
 * and the columns, header-driven like Amazon (column order does not matter).
 */
import type { FlatKind } from '../core/feed-types.js';

export interface FlatLayout {
  kind: FlatKind;
  template: string | null;
  /** Trimmed column headings, in file order. */
  columns: string[];
  headerLine: number;
}

/** Known column names of each kind, e.g. from the flat row schemas. */
export type ColumnCatalogue = Readonly<Record<FlatKind, ReadonlySet<string>>>;

/** How many lines may precede the header row (template row + two label rows). */
export const MAX_PREAMBLE_LINES = 3;

const TEMPLATE_KINDS: Readonly<Record<string, FlatKind>> = {
  ordercancellation: 'cancellation',
  orderfulfillment: 'fulfillment',
  priceinventory: 'price-quantity',
  inventoryloader: 'inventory-loader',
};

export function templateOf(line: string): string | null {
  const match = /^\uFEFF?TemplateType=([^\t]*)/.exec(line);
  return match ? (match[1] ?? '').trim() : null;
}

export function splitCells(line: string): string[] {
  return line.split('\t').map((cell) => cell.trim());
}

/** Headings of Amazon's newer templates that name a classic column differently. */
const HEADING_ALIASES: Readonly<Record<string, string>> = { item_sku: 'sku' };

/**
 * The known column a heading names, or null. Newer templates write machine names with underscores
 * (`will_ship_internationally`, `item_sku`); they are read as the classic hyphenated names. `exact` takes the
 * heading as written (machine names are lower case); otherwise `SKU` also names `sku`.
 */
export function knownHeading(
  cell: string,
  isKnown: (name: string) => boolean,
  match: 'exact' | 'any-case',
): string | null {
  const name = match === 'exact' ? cell : cell.toLowerCase();
  if (isKnown(name)) return name;
  const alias = HEADING_ALIASES[name] ?? name.replace(/_/g, '-');
  return alias !== name && isKnown(alias) ? alias : null;
}

/** True when the line names at least one column feedproc knows (of the forced kind, when there is one). */
export function looksLikeHeader(
  cells: readonly string[],
  catalogue: ColumnCatalogue,
  kind: FlatKind | undefined,
  match: 'exact' | 'any-case',
): boolean {
  const kinds = kind ? [kind] : (Object.keys(catalogue) as FlatKind[]);
  const isKnown = (name: string): boolean => kinds.some((k) => catalogue[k].has(name));
  return cells.some((cell) => knownHeading(cell, isKnown, match) !== null);
}

/** Decides the kind of a flat file; null when nothing identifies it. */
export function detectFlatKind(
  template: string | null,
  columns: readonly string[],
  catalogue: ColumnCatalogue,
): FlatKind | null {
  const byTemplate = template ? TEMPLATE_KINDS[template.toLowerCase()] : undefined;
  if (byTemplate) return byTemplate;
  const has = (name: string): boolean => columns.includes(name);
  if (has('adjustment-reason-code')) return 'adjustment';
  if (has('cancellation-reason-code') || has('amazon-order-item-code')) return 'cancellation';
  if (has('ship-date') || has('carrier-code') || has('tracking-number')) return 'fulfillment';
  if (!has('sku')) return null;
  // Headings neither kind knows (a typo, a seller's own note column) do not decide between the two.
  const priceQuantity = catalogue['price-quantity'];
  const loader = catalogue['inventory-loader'];
  const known = columns.filter((c) => priceQuantity.has(c) || loader.has(c));
  return known.every((c) => priceQuantity.has(c)) ? 'price-quantity' : 'inventory-loader';
}
