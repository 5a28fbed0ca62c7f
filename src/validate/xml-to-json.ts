/**
 * The JSON view of an XML element that the schemas describe:
 * - an element without child elements or attributes is its text;
 * - otherwise an object: `#seq` lists the child names in order, each child name maps to the array of its
 *   occurrences, `@name` holds an attribute, `#text` the text (kept for elements with children only when it
 *   is not whitespace).
 * Namespace declarations and xsi:(noNamespace)schemaLocation are not data and are left out, except a default namespace,
 * which puts the element outside the (no-namespace) MWS schemas and is therefore kept to be refused.
 * This runs for every element of every message, so it avoids allocations it does not need.
 */
import type { XmlNode } from '../parse/xml-node.js';

export type JsonView = string | { [key: string]: unknown };

const NOT_WHITESPACE = /[^ \t\r\n]/;

export function xmlToJson(node: XmlNode): JsonView {
  const children = node.children;
  if (children.length === 0 && !hasDataAttributes(node.attrs)) return node.text;
  const view: Record<string, unknown> = {};
  if (children.length > 0) {
    const names: string[] = new Array<string>(children.length);
    for (let i = 0; i < children.length; i += 1) {
      const child = children[i] as XmlNode;
      names[i] = child.name;
      // `#seq` still lists such a name, so the content model reports it; it must not reach the prototype.
      if (child.name === '__proto__') continue;
      // Object.hasOwn: an element named `constructor` or `toString` must not find Object.prototype's.
      const list = Object.hasOwn(view, child.name) ? (view[child.name] as JsonView[]) : undefined;
      if (list) list.push(xmlToJson(child));
      else view[child.name] = [xmlToJson(child)];
    }
    view['#seq'] = names;
    if (NOT_WHITESPACE.test(node.text)) view['#text'] = node.text;
  } else {
    view['#text'] = node.text;
  }
  if (node.attrs) {
    for (const name in node.attrs) {
      const value = node.attrs[name] as string;
      if (isDataAttribute(name, value)) view[`@${name}`] = value;
    }
  }
  return view;
}

function hasDataAttributes(attrs: Record<string, string> | null): boolean {
  if (!attrs) return false;
  for (const name in attrs) if (isDataAttribute(name, attrs[name] as string)) return true;
  return false;
}

/** Only the schema-location hints are allowed everywhere; any other xsi: attribute (xsi:nil, xsi:type) is checked. */
function isDataAttribute(name: string, value: string): boolean {
  if (name === 'xmlns') return value !== '';
  return !name.startsWith('xmlns:') && name !== 'xsi:noNamespaceSchemaLocation' && name !== 'xsi:schemaLocation';
}
