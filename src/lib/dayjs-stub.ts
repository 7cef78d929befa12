// Bundled in place of dayjs (see [alias] in wrangler.toml and vitest.config.ts). sanitize-html
// takes only `naughtyHref` from launder, which requires dayjs for date helpers Gazette never
// calls (they would read the platform clock, which src/ must not: src/lib/clock.ts). It cost
// 7.3 KiB minified, 3.0 KiB gzipped, of the worker's 250 KiB gzip budget
// (247.4 KiB before, 244.4 after).
export default function dayjs(): never {
  throw new Error('dayjs is not bundled: Gazette reads time through src/lib/clock.ts');
}
