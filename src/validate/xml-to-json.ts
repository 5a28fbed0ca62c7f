/**
 * The JSON view of an XML element that the schemas describe:
 * - an element without child elements or attributes is its text;
 * - otherwise an object: `#seq` lists the child names in order, each child name maps to the array of its
 *   occurrences, `@name` holds an attribute, `#text` the text (kept for elements with children only when it
 *   is not whitespace).
 * Namespace declarations and xsi: attributes are not data and are left out, except a default namespace,
 * which puts the element outside the (no-namespace) MWS schemas and is therefore kept to be refused.
 */
import type { XmlNode } from '../parse/xml-node.js';

export type JsonView = string | { [key: string]: unknown };

export function xmlToJson(node: XmlNode): JsonView {
  if (node.children.length === 0 && !hasDataAttributes(node)) return node.text;
  const view: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (node.children.length > 0) {
    view['#seq'] = node.children.map((child) => child.name);
    for (const child of node.children) {
      const list = (view[child.name] ??= []) as JsonView[];
      list.push(xmlToJson(child));
    }
    if (/[^ \t\r\n]/.test(node.text)) view['#text'] = node.text;
  } else {
    view['#text'] = node.text;
  }
  for (const [name, value] of Object.entries(node.attrs ?? {})) {
    if (isDataAttribute(name, value)) view[`@${name}`] = value;
  }
  return view;
}

function hasDataAttributes(node: XmlNode): boolean {
  return node.attrs !== null && Object.entries(node.attrs).some(([name, value]) => isDataAttribute(name, value));
}

function isDataAttribute(name: string, value: string): boolean {
  if (name === 'xmlns') return value !== '';
  return !name.startsWith('xmlns:') && !name.startsWith('xsi:');
}
