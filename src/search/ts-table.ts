/**
 * OpenCC's TSCharacters table (traditional to simplified, one character to one), packed for
 * the worker bundle. As opencc-js ships it ("繁 简|繁 简|…", 3,512 pairs) it is 18 KiB gzipped,
 * gzip doing poorly on UTF-8 ideographs; as sorted code-point deltas in base 36 it is 9 KiB,
 * which keeps the bundle within issue 20's 250 KiB. scripts/build-assets.ts packs the installed
 * table into src/search/ts-characters.gen.ts; normalize.ts unpacks it on the first fold. A
 * one-character map is all OpenCC's converter does with this table (no phrases: every key is
 * one character), so a Map lookup folds exactly as CustomConverter did.
 */

/** "繁 简|…" to "d:s;…": d the code point's distance from the previous one, s the simplified's. */
export function packTable(dict: string): string {
  const pairs = dict.split('|').map((entry) => {
    const [from, to, ...rest] = entry.split(' ');
    const single = (s: string | undefined) => s !== undefined && [...s].length === 1;
    if (!single(from) || !single(to) || rest.length) {
      throw new Error(`TSCharacters entry '${entry}' is not one character to one`);
    }
    return [from!.codePointAt(0)!, to!.codePointAt(0)!] as const;
  });
  pairs.sort((a, b) => a[0] - b[0]);
  let previous = 0;
  return pairs
    .map(([from, to]) => {
      const packed = `${(from - previous).toString(36)}:${(to - from).toString(36)}`;
      previous = from;
      return packed;
    })
    .join(';');
}

export function unpackTable(packed: string): Map<string, string> {
  const table = new Map<string, string>();
  let from = 0;
  for (const entry of packed.split(';')) {
    const colon = entry.indexOf(':');
    from += parseInt(entry.slice(0, colon), 36);
    table.set(
      String.fromCodePoint(from),
      String.fromCodePoint(from + parseInt(entry.slice(colon + 1), 36)),
    );
  }
  return table;
}
