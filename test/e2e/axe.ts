import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, Result } from 'axe-core';

/** axe.min.js from node_modules: injected from disk, so the test needs no third-party origin. */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** One line per failing node: impact, rule, what to fix, where. */
export function describeViolations(violations: Result[]): string {
  return violations
    .flatMap((v) =>
      v.nodes.map(
        (n) =>
          `[${v.impact}] ${v.id}: ${v.help} — ${n.target.join(' ')}\n    ${n.failureSummary?.replace(/\n/g, '\n    ') ?? ''}`,
      ),
    )
    .join('\n');
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules and best practices) on the page as it is now and
 * throws, with a readable list, when any violation is serious or critical.
 */
export async function expectNoSeriousViolations(page: Page, context = ''): Promise<void> {
  // Not page.addScriptTag: that adds an inline <script>, which the admin's CSP (script-src
  // 'self', rightly) refuses. Evaluating through the DevTools protocol is outside the CSP, so
  // the pages are checked with their real policy on.
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<AxeResults> } }).axe;
    return axe.run({
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
  });
  const serious = results.violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  if (serious.length) {
    throw new Error(
      `axe-core found ${serious.length} serious or critical rule(s) failing on ${context || page.url()}:\n${describeViolations(serious)}`,
    );
  }
}
