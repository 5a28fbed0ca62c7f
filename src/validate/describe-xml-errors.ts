/**
 * Turns Ajv's errors about one XML element tree into the problem a developer needs: which element, where in
 * the file, and why — worded like libxml2's schema errors. When a message has several problems the one that
 * comes first in the document wins, as with a streaming XSD validator.
 */
import { codePointLength, quoted } from '../core/quote.js';
import type { ErrorObject } from 'ajv';
import { isBefore, type XmlNode } from '../parse/xml-node.js';
import { firstElementNames, type ContentMismatch, type Particle } from './xsd-content.js';

export interface XmlProblem {
  element: string;
  line: number;
  column: number;
  detail: string;
}

interface Located extends XmlProblem {
  /** Where a streaming validator would notice the problem: used only to pick the first one. */
  atLine: number;
  atColumn: number;
}

/** Returns the first problem in document order, or null when `errors` holds nothing reportable. */
export function describeFirstXmlProblem(root: XmlNode, errors: readonly ErrorObject[]): XmlProblem | null {
  let first: Located | null = null;
  for (const error of errors) {
    const located = locate(root, error);
    if (located && (!first || isBefore(located.atLine, located.atColumn, first.atLine, first.atColumn))) {
      first = located;
    }
  }
  if (!first) return null;
  const { element, line, column, detail } = first;
  return { element, line, column, detail };
}

function locate(root: XmlNode, error: ErrorObject): Located | null {
  const { node, member } = resolvePath(root, error.instancePath);
  if (!node) return null;
  if (error.keyword === 'xsdContent')
    return describeContent(node, (error.params as { mismatch: ContentMismatch }).mismatch);
  if (error.keyword === 'additionalProperties') {
    return describeMember(node, (error.params as { additionalProperty: string }).additionalProperty);
  }
  if (error.keyword === 'type' || (error.data !== null && typeof error.data === 'object'))
    return describeWrongShape(node, error);
  const text = valueMessage(error);
  if (member?.startsWith('@')) {
    const attribute = member.slice(1);
    return at(node, `Element '${node.name}', attribute '${attribute}': ${text}`, 'start');
  }
  return at(node, `Element '${node.name}': ${text}`, 'end');
}

function describeContent(node: XmlNode, mismatch: ContentMismatch): Located {
  const expected = expectedList(mismatch.expected);
  if (mismatch.kind === 'missing') {
    return at(node, `Element '${node.name}': Missing child element(s). ${expected}`, 'end');
  }
  const child = node.children[mismatch.index] ?? node;
  const text = `Element '${child.name}': This element is not expected.${mismatch.expected.length ? ` ${expected}` : ''}`;
  return at(child, text, 'start');
}

/** An attribute, text or child that the element's type does not allow. Unknown children are left to xsdContent. */
function describeMember(node: XmlNode, member: string): Located | null {
  if (member.startsWith('@')) {
    const attribute = member.slice(1);
    return at(
      node,
      `Element '${node.name}', attribute '${attribute}': The attribute '${attribute}' is not allowed.`,
      'start',
    );
  }
  if (member === '#text') return at(node, elementOnly(node), 'end');
  if (member === '#seq') return at(node, simpleType(node), 'start');
  return null;
}

/** The data had the wrong JSON shape: children or attributes where the type is simple, or the reverse. */
function describeWrongShape(node: XmlNode, error: ErrorObject): Located | null {
  const wanted = (error.params as { type?: string | string[] }).type ?? '';
  if (error.data !== null && typeof error.data === 'object') {
    const view = error.data as Record<string, unknown>;
    if ('#seq' in view) return at(node, simpleType(node), 'start');
    const attribute = Object.keys(view).find((key) => key.startsWith('@'));
    return attribute ? describeMember(node, attribute) : null;
  }
  if (wanted === 'object' || wanted.includes('object')) {
    if (/[^ \t\r\n]/.test(node.text)) return at(node, elementOnly(node), 'end');
    const model = (error.parentSchema as { xsdContent?: Particle } | undefined)?.xsdContent;
    const expected = model ? expectedList(firstElementNames(model)) : '';
    return at(node, `Element '${node.name}': Missing child element(s). ${expected}`.trimEnd(), 'end');
  }
  return at(node, `Element '${node.name}': ${error.message ?? 'has the wrong content'}.`, 'end');
}

function valueMessage(error: ErrorObject): string {
  const value = String(error.data);
  switch (error.keyword) {
    case 'enum': {
      const set = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => `'${String(v)}'`).join(', ');
      return `[facet 'enumeration'] The value '${quoted(value)}' is not an element of the set {${set}}.`;
    }
    case 'maxLength': {
      const limit = (error.params as { limit: number }).limit;
      return `[facet 'maxLength'] The value '${quoted(value)}' has a length of '${codePointLength(value)}'; this exceeds the allowed maximum length of '${limit}'.`;
    }
    case 'minLength': {
      const limit = (error.params as { limit: number }).limit;
      return `[facet 'minLength'] The value '${quoted(value)}' has a length of '${codePointLength(value)}'; this underruns the allowed minimum length of '${limit}'.`;
    }
    default:
      return error.message ?? `is not valid (${error.keyword}).`;
  }
}

const elementOnly = (node: XmlNode): string =>
  `Element '${node.name}': Character content other than whitespace is not allowed because the content type is 'element-only'.`;
const simpleType = (node: XmlNode): string =>
  `Element '${node.name}': Element content is not allowed, because the type definition is simple.`;

function expectedList(names: readonly string[]): string {
  if (names.length === 0) return '';
  return names.length === 1 ? `Expected is ( ${names[0]} ).` : `Expected is one of ( ${names.join(', ')} ).`;
}

function at(node: XmlNode, detail: string, when: 'start' | 'end'): Located {
  const [atLine, atColumn] = when === 'start' ? [node.line, node.column] : [node.endLine, node.endColumn];
  return { element: node.name, line: node.line, column: node.column, detail, atLine, atColumn };
}

/** Follows an Ajv instance path (`/OrderAdjustment/0/AdjustedItem/1/Amount/0/@currency`) through the tree. */
function resolvePath(root: XmlNode, instancePath: string): { node: XmlNode | undefined; member?: string } {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: XmlNode | undefined = root;
  for (let i = 0; i < segments.length && node; i += 2) {
    const name = segments[i] ?? '';
    if (name.startsWith('@') || name.startsWith('#')) return { node, member: name };
    const index = Number(segments[i + 1] ?? 0);
    node = node.children.filter((child) => child.name === name)[index];
  }
  return { node };
}
