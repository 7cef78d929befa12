import { describe, expect, it } from 'vitest';
import {
  issuePrimitives,
  median,
  parseWrkRequestsPerSecond,
  positiveInteger,
  renderTable,
  summarize,
  type IssueMethodResult,
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

  it('refuses a run with socket errors and accepts one whose counts are all zero', () => {
    expect(() =>
      parseWrkRequestsPerSecond(
        wrkOutput('900.5', '  Socket errors: connect 0, read 0, write 0, timeout 12\n'),
      ),
    ).toThrow(/socket errors/);
    expect(
      parseWrkRequestsPerSecond(
        wrkOutput('900.5', '  Socket errors: connect 0, read 0, write 0, timeout 0\n'),
      ),
    ).toBe(900.5);
  });

  it('refuses output without a rate', () => {
    expect(() => parseWrkRequestsPerSecond('unable to connect to 127.0.0.1:1')).toThrow(
      /no "Requests\/sec"/,
    );
  });
});

describe('median', () => {
  it('sorts numerically and takes the middle, or the mean of the middle two', () => {
    expect(median([10, 9, 2])).toBe(9);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('issuePrimitives', () => {
  it('reads a row that exists in a table of any size', () => {
    expect(issuePrimitives(10_000).map((p) => p.path)).toEqual([
      '/constant',
      '/d1?id=4242',
      '/d1-session?id=4242',
      '/do',
    ]);
    expect(issuePrimitives(1_000)[1]!.path).toBe('/d1?id=1000');
    expect(() => issuePrimitives(0)).toThrow(RangeError);
  });
});

describe('positiveInteger', () => {
  it('takes whole numbers of at least 1 and refuses anything else', () => {
    expect(positiveInteger('runs', '5')).toBe(5);
    for (const bad of ['0', 'abc', '2.5', '-1', '']) {
      expect(() => positiveInteger('runs', bad)).toThrow('--runs wants a whole number ≥ 1');
    }
  });
});

describe('summarize and renderTable', () => {
  // The machine slows down in the third round: every route drops with the constant.
  const runs = new Map<string, number[]>([
    ['/constant', [16_000, 16_000, 8_000]],
    ['/d1?id=4242', [1_600, 1_600, 800]],
    ['/d1-session?id=4242', [960, 700, 400]],
    ['/do', [2_000, 1_800, 1_000]],
  ]);
  const rows = summarize(issuePrimitives(10_000), runs);

  it('gives the ratio of the medians and the median of the per-round ratios', () => {
    expect(rows.map((r) => [r.path, r.median, Number(r.ratio.toFixed(4)), r.pairedRatio])).toEqual([
      ['/constant', 16_000, 1, 1],
      ['/d1?id=4242', 1_600, 0.1, 0.1],
      ['/d1-session?id=4242', 700, 0.0437, 0.05],
      ['/do', 1_800, 0.1125, 0.125],
    ]);
  });

  it('refuses runs whose rounds do not line up', () => {
    const short = new Map(runs).set('/do', [2_000]);
    expect(() => summarize(issuePrimitives(10_000), short)).toThrow('/do: 1 rounds against 3');
  });

  it("sets each primitive beside the issue's figure; a primitive is under 0.12 only by both ratios", () => {
    expect(renderTable(rows).split('\n')).toEqual([
      "| primitive | req/s, each round | median | ratio of the medians (the issue's figure) | median of the per-round ratios | the issue measured | at or above 0.12 |",
      '|---|---|---:|---:|---:|---:|---|',
      '| constant response | 16,000, 16,000, 8,000 | 16,000 | 1.000 | 1.000 | 1.000 | — |',
      '| one D1 read | 1,600, 1,600, 800 | 1,600 | 0.100 | 0.100 | 0.134 | **no** |',
      '| one D1 read in a fresh Sessions API session | 960, 700, 400 | 700 | 0.044 | 0.050 | — | **no** |',
      '| one DO increment | 2,000, 1,800, 1,000 | 1,800 | 0.113 | 0.125 | 0.153 | yes |',
    ]);
  });
});

describe('issueMethodSection (BENCHMARKS.md)', () => {
  const resultAt = (d1: number, doIncrement: number): IssueMethodResult => ({
    command: 'wrk -t2 -c32 -d8s',
    rounds: 1,
    rows: summarize(
      issuePrimitives(10_000),
      new Map([
        ['/constant', [10_000]],
        ['/d1?id=4242', [d1]],
        ['/d1-session?id=4242', [600]],
        ['/do', [doIncrement]],
      ]),
    ),
  });
  const render = (d1: number, doIncrement: number) =>
    issueMethodSection(resultAt(d1, doIncrement)).join('\n');

  it('names one primitive that measured below the budget', () => {
    const section = render(1_300, 1_000);
    expect(section).toContain("### The issue's primitives, measured by the issue's method");
    expect(section).toContain('(`wrk -t2 -c32 -d8s`, 1 round, every route once in each round;');
    expect(section).toContain('| one D1 read | 1,300 | 1,300 | 0.130 | 0.130 | 0.134 | yes |');
    expect(section).toContain(
      'One DO increment measured below 0.12 of the bare constant here by both ratios',
    );
  });

  it('names both when both measured below it', () => {
    expect(render(1_000, 1_100)).toContain(
      'One D1 read and one DO increment measured below 0.12 of the bare constant here by both ratios',
    );
  });

  it('says so when both primitives reach the budget, and points to the floors either way', () => {
    const section = render(1_300, 1_500);
    expect(section).toContain('Both primitives reached 0.12 of the bare constant here');
    expect(section).not.toContain('measured below');
    expect(section).toContain('whether a Gazette route can reach its budget is the floor column');
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
