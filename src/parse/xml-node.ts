/** One element of a feed message as read from the file, with where it starts and ends (1-based). */
export interface XmlNode {
  name: string;
  attrs: Record<string, string> | null;
  children: XmlNode[];
  /** The element's own character data, concatenated (child elements' text is in the children). */
  text: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The root element as seen when it opens. */
export interface XmlRoot {
  name: string;
  attrs: Record<string, string>;
  line: number;
  column: number;
}

export function firstChild(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((child) => child.name === name);
}

/** Text of the first descendant at the given path of names, e.g. `['OrderAdjustment', 'AmazonOrderID']`. */
export function textAt(node: XmlNode, path: readonly string[]): string | undefined {
  let current: XmlNode | undefined = node;
  for (const name of path) {
    current = current && firstChild(current, name);
  }
  return current?.text;
}

/** Orders positions: true when (lineA, colA) comes before (lineB, colB). */
export function isBefore(lineA: number, colA: number, lineB: number, colB: number): boolean {
  return lineA < lineB || (lineA === lineB && colA < colB);
}
