/** Which row schema validates which flat feed kind, and the column catalogue derived from those schemas. */
import type { FlatKind } from '../core/feed-types.js';
import type { ColumnCatalogue } from '../parse/flat-layout.js';
import type { SchemaRegistry } from './schema-registry.js';

const FLAT_SCHEMA_FILES: Readonly<Record<FlatKind, string>> = {
  adjustment: 'flat-adjustment.schema.json',
  cancellation: 'flat-order-cancellation.schema.json',
  fulfillment: 'flat-fulfillment.schema.json',
  'inventory-loader': 'flat-inventory-loader.schema.json',
  'price-quantity': 'flat-price-quantity.schema.json',
};

interface RowSchema {
  properties: Record<string, unknown>;
  required: string[];
}

export function flatRowValidator(schemas: SchemaRegistry, kind: FlatKind) {
  const validate = schemas.byName(FLAT_SCHEMA_FILES[kind]);
  const schema = validate.schema as RowSchema;
  return { validate, known: new Set(Object.keys(schema.properties)), required: schema.required };
}

export function columnCatalogue(schemas: SchemaRegistry): ColumnCatalogue {
  const kinds = Object.keys(FLAT_SCHEMA_FILES) as FlatKind[];
  return Object.fromEntries(kinds.map((kind) => [kind, flatRowValidator(schemas, kind).known])) as Record<
    FlatKind,
    Set<string>
  >;
}
