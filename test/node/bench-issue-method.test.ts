import { describe, expect, it } from 'vitest';
import {
  issuePrimitives,
  median,
  parseWrkRequestsPerSecond,
  renderTable,
  summarize,
} from '../../scripts/bench/issue-method';
import { issueMethodSection } from '../../scripts/bench/report';

const wrkOutput = (rps: string, extra = '') => `Running 8s test @ http://127.0.0.1:40000/d1?id=4242
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.33ms    7.09ms  33.47ms   72.02%
    Req/Sec    96.60     12.73   121.00     60.00%
  193 requests in 1.00s, 1.27MB read
${extra}Requests/sec:    ${rps}
Transfer/sec:      1.27MB
`;

describe('parseWrkRequestsPerSecond', () => {
  it("reads wrk's Requests/sec line", () => {
    expect(parseWrkRequestsPerSecond(wrkOutput('16109.42'))).toBe(16109.42);
  });

  it('refuses a run in which responses failed, so an error page is never measured', () => {
    expect(() =>
      parseWrkRequestsPerSecond(wrkOutput('1423.66', '  Non-2xx or 3xx responses: 1425\n')),
    ).toThrow(/1425 failed responses/);
  });

  it('refuses output without a rate', () => {
    expect(() => parseWrkRequestsPerSecond('unable to connect to 127.0.0.1:1')).toThrow(
      /no "Requests\/sec"/,
    );
  });
});

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('summarize and renderTable', () => {
  const runs = new Map<string, number[]>([
    ['/constant', [16_000, 15_000, 17_000]],
    ['/d1?id=4242', [1_600, 1_500, 1_700]],
    ['/d1-session?id=4242', [900, 1_000, 950]],
    ['/do', [2_100, 1_900, 2_000]],
  ]);

  it('divides each median by the constant route median', () => {
    const rows = summarize(issuePrimitives, runs);
    expect(rows.map((r) => [r.path, r.median, Number(r.ratio.toFixed(4))])).toEqual([
      ['/constant', 16_000, 1],
      ['/d1?id=4242', 1_600, 0.1],
      ['/d1-session?id=4242', 950, 0.0594],
      ['/do', 2_000, 0.125],
    ]);
  });

  it("sets each primitive beside the issue's figure and the 0.12 budget", () => {
    const table = renderTable(summarize(issuePrimitives, runs));
    expect(table.split('\n')).toEqual([
      '| primitive | req/s, each run | median | ratio to constant | the issue measured | reaches the 0.12 budget |',
      '|---|---|---:|---:|---:|---|',
      '| constant response | 16,000, 15,000, 17,000 | 16,000 | 1.000 | 1.000 | — |',
      '| one D1 read | 1,600, 1,500, 1,700 | 1,600 | 0.100 | 0.134 | **no** |',
      '| one D1 read in a fresh Sessions API session | 900, 1,000, 950 | 950 | 0.059 | — | **no** |',
      '| one DO increment | 2,100, 1,900, 2,000 | 2,000 | 0.125 | 0.153 | yes |',
    ]);
  });
});

describe('issueMethodSection (BENCHMARKS.md)', () => {
  const rowsAt = (d1: number, doIncrement: number) =>
    summarize(
      issuePrimitives,
      new Map([
        ['/constant', [10_000]],
        ['/d1?id=4242', [d1]],
        ['/d1-session?id=4242', [600]],
        ['/do', [doIncrement]],
      ]),
    );

  it('names the primitives that stay below the budget', () => {
    const section = issueMethodSection({
      command: 'wrk -t2 -c32 -d8s',
      rounds: 5,
      rows: rowsAt(1_300, 1_000),
    }).join('\n');
    expect(section).toContain("### The issue's primitives, measured by the issue's method");
    expect(section).toContain('| one D1 read | 1,300 | 1,300 | 0.130 | 0.134 | yes |');
    expect(section).toContain(
      'One DO increment stays below 0.12 here before any Gazette code runs: no Gazette route built on it can meet the 0.12 budget on this machine.',
    );
  });

  it('says so when both primitives reach the budget', () => {
    const section = issueMethodSection({
      command: 'wrk -t2 -c32 -d8s',
      rounds: 5,
      rows: rowsAt(1_300, 1_500),
    }).join('\n');
    expect(section).toContain('Both primitives reach 0.12 here, as the issue assumed.');
    expect(section).not.toContain('stays below');
  });

  it('reports why it was not measured, and is absent from older reports', () => {
    expect(issueMethodSection({ error: 'wrk is not installed' })).toEqual([
      "### The issue's primitives, measured by the issue's method",
      '',
      'Not measured: wrk is not installed.',
      '',
    ]);
    expect(issueMethodSection(null)).toEqual([]);
  });
});
