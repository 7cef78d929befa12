import { describe, expect, it } from 'vitest';
import {
  judgeRatio,
  judgeStartup,
  pairFigures,
  ratioBudgets,
  setAlarmRowsPerFlush,
  splitCopy,
  viewCost,
  type Pair,
} from '../../scripts/bench/budgets';
import type { Round } from '../../scripts/bench/load';
import { evaluate, renderChart, type BenchReport } from '../../scripts/bench/report';

const round = (rps: number, cpuUs = 1e6 / rps, failed = 0): Round => ({
  rps,
  sent: rps * 5,
  ok: rps * 5 - failed,
  failed,
  p50: 10,
  p99: 40,
  cpuUs,
});
const pair = (route: number[], floor: number[]): Pair => ({
  key: 'article-json',
  route: route.map((r) => round(r)),
  floor: floor.map((f) => round(f)),
});
const articleBudget = ratioBudgets.find((b) => b.key === 'article-json')!;

describe('pairFigures', () => {
  it('judges the median over rounds of floor CPU ÷ route CPU per request', () => {
    // The machine slows down in round 2: req/s swings, CPU per request holds.
    const p: Pair = {
      key: 'x',
      route: [round(500, 2000), round(150, 2500), round(600, 2000)],
      floor: [round(900, 1000), round(480, 1000), round(600, 1100)],
    };
    const f = pairFigures(p);
    expect(f.ratio).toBeCloseTo(0.5, 6);
    expect(f).toMatchObject({ routeCpuUs: 2000, floorCpuUs: 1000 });
    expect(f.rpsRatio).toBeCloseTo(500 / 900, 6);
    expect(f.ratioOfMedians).toBeCloseTo(500 / 600, 6);
  });

  it('takes the median of the per-round ratios, not the ratio of the medians', () => {
    const cpu = (route: number[], floor: number[]): Pair => ({
      key: 'x',
      route: route.map((us) => round(100, us)),
      floor: floor.map((us) => round(100, us)),
    });
    // Per round 0.9, 0.9, 0.5: the median is 0.9; the medians' ratio (1000 / 1111) too, by luck.
    const f = pairFigures(cpu([1111, 2222, 2000], [1000, 2000, 1000]));
    expect(f.ratio).toBeCloseTo(0.9, 3);
  });
});

describe('judgeRatio', () => {
  it('passes at the budget and fails below it', () => {
    expect(judgeRatio(articleBudget, pair([800, 800, 800], [1000, 1000, 1000])).status).toBe(
      'pass',
    );
    expect(judgeRatio(articleBudget, pair([790, 790, 790], [1000, 1000, 1000])).status).toBe(
      'fail',
    );
  });

  it('fails a route whose requests fail, however fast it answered them', () => {
    const p = pair([2000], [1000]);
    p.route[0] = round(2000, 1000, 500);
    const result = judgeRatio(articleBudget, p);
    expect(result.status).toBe('fail');
    expect(result.note).toMatch(/failed/);
  });

  it('does not pass a route against a floor that did not measure cleanly', () => {
    const p = pair([900], [1000]);
    p.floor[0] = round(1000, 1000, 100);
    expect(judgeRatio(articleBudget, p).status).toBe('unmeasured');
  });

  it('skips a route that is not there and says why', () => {
    const search = ratioBudgets.find((b) => b.key === 'search-short')!;
    expect(judgeRatio(search, { skipped: 'route not present (404)' })).toMatchObject({
      status: 'skipped',
      note: 'route not present (404)',
    });
  });
});

describe('judgeStartup', () => {
  it('judges the median of the per-round ratios against 2.5 ×', () => {
    const rounds = [
      { gazette: 40, floor: 20 },
      { gazette: 60, floor: 20 },
      { gazette: 44, floor: 20 },
    ];
    expect(judgeStartup(rounds)).toMatchObject({
      status: 'pass',
      measured: expect.stringMatching(/^2\.20 ×/),
    });
    expect(judgeStartup([{ gazette: 60, floor: 20 }]).status).toBe('fail');
  });
});

describe('viewCost', () => {
  it('prices requests and rows at the platform-notes prices', () => {
    // 1,000 views on one object in one flush: 1,000 Worker + 1,001 DO requests,
    // 1,000 visitor rows + 4 once-only rows + 1 setAlarm row (a busy interval), 5 D1 rows.
    const cost = viewCost({
      beacons: 1000,
      views: 1000,
      objects: 1,
      viewRows: 1000,
      fixedRows: 4,
      flushes: 1,
      d1RowsPerFlush: 5,
    });
    expect(cost.doRowsPerView).toBeCloseTo(1.005, 6);
    expect(cost.dollarsPerMillion).toBeCloseTo(0.3 + 1.001 * 0.15 + 1.005 + 0.005, 6);
  });

  it('books two setAlarm rows per flush when an interval had a lone view', () => {
    const cost = viewCost({
      ...{ beacons: 10, views: 10, objects: 10, viewRows: 10, fixedRows: 0 },
      ...{ flushes: 10, d1RowsPerFlush: 3 },
    });
    expect(cost.doRowsPerView).toBeCloseTo(3, 6);
    expect(setAlarmRowsPerFlush(10)).toBe(1);
  });
});

describe('splitCopy', () => {
  it("prices a split's copied rows once, per split, outside the per-view figure", () => {
    const run = {
      ...{ beacons: 1000, views: 1000, objects: 2, viewRows: 1000, fixedRows: 8 },
      ...{ flushes: 2, d1RowsPerFlush: 3, copiedRows: 400, newShards: 1, copyRequests: 2 },
    };
    const copy = splitCopy(run);
    expect(copy).toMatchObject({ rows: 400, requests: 2, shards: 1, asRunRowsPerView: 0.4 });
    expect(copy.dollars).toBeCloseTo((400 * 1 + 2 * 0.15) / 1e6, 12);
    expect(copy.perSplit).toBe(copy.dollars);
    // The steady state is the same with or without the copy.
    expect(viewCost(run).doRowsPerView).toBe(viewCost({ ...run, copiedRows: 0 }).doRowsPerView);
  });
});

describe('judgeRatio beside the dedupe floor', () => {
  it('judges the issue floor and notes the deduplicating floor without judging it', () => {
    const beacon = ratioBudgets.find((b) => b.key === 'beacon-hot')!;
    const p: Pair = { ...pair([500, 500, 500], [1000, 1000, 1000]), key: 'beacon-hot' };
    p.dedupe = [round(800), round(800), round(800)];
    expect(judgeRatio(beacon, p)).toMatchObject({
      status: 'fail',
      measured: '0.500',
      note: '÷ the dedupe floor: 0.625, not judged',
    });
  });
});

describe('evaluate', () => {
  const report = {
    short: false,
    pairs: { 'article-json': pair([700, 700, 700], [1000, 1000, 1000]) },
    startup: null,
    bundleGzip: 300 * 1024,
    embedGzip: 4 * 1024,
    roundTrips: true,
    costs: { 'beacon-hot': { missing: 'not run' }, 'beacon-spread': { missing: 'not run' } },
  } as unknown as BenchReport;

  it('judges every budget of the issue, absolute ones included', () => {
    const results = evaluate(report);
    const by = (what: RegExp) => results.find((r) => what.test(r.what))!;
    expect(by(/^Article JSON, D1/).status).toBe('fail');
    expect(by(/^Channel list/).status).toBe('skipped');
    expect(by(/bundle/)).toMatchObject({ status: 'fail', budget: '≤ 250 KiB' });
    expect(by(/embed/).status).toBe('pass');
    expect(by(/round trips/).status).toBe('pass');
    expect(by(/hot article/).status).toBe('unmeasured');
  });

  it('draws each measured route beside its floor', () => {
    const svg = renderChart(report);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Article JSON, D1 read');
    expect(svg.match(/<rect/g)).toHaveLength(2);
  });
});
