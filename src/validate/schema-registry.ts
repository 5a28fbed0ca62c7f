/**
 * The one Ajv instance: every schema in `schemas/` is added and the validators feedproc needs are compiled once,
 * when a registry is created (never at import time). Two keywords carry what plain JSON Schema cannot say about
 * XML: `xsdContent` (element order and occurrence) and `xsdType` (XSD atomic types and XSD-syntax patterns).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compileXsdType, type XsdTypeSpec } from './xsd-types.js';
import { compileContent, type Particle } from './xsd-content.js';

const SCHEMA_ID_BASE = 'https://feedproc.local/schemas/';

export interface SchemaRegistry {
  /** The envelope without its messages (Header, MessageType, … and the order of the top-level elements). */
  readonly envelope: ValidateFunction;
  /** One `<Message>`. */
  readonly message: ValidateFunction;
  /** A validator for any schema by file name, e.g. `flat-adjustment.schema.json`. */
  byName(fileName: string): ValidateFunction;
}

/** Path of the `schemas/` folder shipped with the package (two levels above this file in src/ and dist/). */
export const DEFAULT_SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

export function createSchemaRegistry(schemasDir: string = DEFAULT_SCHEMAS_DIR): SchemaRegistry {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    // anyOf / dependentRequired branches name columns declared once at the top of a row schema
    strictRequired: false,
    allowUnionTypes: true,
    useDefaults: true,
  });
  addXsdKeywords(ajv);
  const files = readdirSync(schemasDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(`${schemasDir}/${file}`, 'utf8')) as object);
  const byName = (fileName: string): ValidateFunction => {
    const validate = ajv.getSchema(SCHEMA_ID_BASE + fileName);
    if (!validate) throw new Error(`schema ${fileName} is not in ${schemasDir}`);
    return validate;
  };
  files.forEach(byName); // compile everything now: a broken schema fails at start-up, not in the middle of a feed
  return Object.freeze({ envelope: byName('envelope.schema.json'), message: byName('message.schema.json'), byName });
}

function addXsdKeywords(ajv: Ajv2020): void {
  ajv.addKeyword({
    keyword: 'xsdType',
    type: 'string',
    schemaType: 'object',
    errors: true,
    compile(spec: XsdTypeSpec, parentSchema: AnySchemaObject) {
      const check = compileXsdType(spec);
      // Custom keyword errors carry no parentSchema, so the plain description travels in params.
      const description = (parentSchema as { description?: string }).description;
      const params = description ? { description } : {};
      const validate: DataValidateFunction = (data: string) => {
        const message = check(data);
        if (message === null) return true;
        validate.errors = [{ keyword: 'xsdType', message, params }];
        return false;
      };
      return validate;
    },
  });
  ajv.addKeyword({
    keyword: 'xsdContent',
    type: 'object',
    schemaType: 'object',
    errors: true,
    compile(model: Particle) {
      const match = compileContent(model);
      const validate: DataValidateFunction = (data: Record<string, unknown>) => {
        const mismatch = match((data['#seq'] as string[] | undefined) ?? []);
        if (mismatch === null) return true;
        validate.errors = [{ keyword: 'xsdContent', message: mismatch.kind, params: { mismatch } }];
        return false;
      };
      return validate;
    },
  });
}
