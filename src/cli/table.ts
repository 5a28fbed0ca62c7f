/**
 * The tables of `feeds`, `keys list` and `destinations list`. On a terminal, for people: a header line and aligned columns. Into a
 * pipe or file, for scripts: tab-separated rows without a header, as before (cut -f, awk -F'\t' keep working).
 */
export function writeTable(
  out: NodeJS.WritableStream,
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): void {
  if ((out as { isTTY?: boolean }).isTTY !== true) {
    for (const row of rows) out.write(`${row.join('\t')}\n`);
    return;
  }
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const widths = header.map((name, i) => Math.max(name.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  out.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
