import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../scripts/bench/load';
import {
  evaluateBudgets,
  type BenchReport,
  type ScenarioOutcome,
} from '../../scripts/bench/report';
import type { Phase } from '../../scripts/bench/scenarios';

function measurement(rps: number, errors = 0): Measurement {
  const sent = Math.round(rps * 5);
  return {
    sent,
    ok: sent - errors,
    statuses: { '200': sent - errors },
    errors,
    timeouts: 0,
    durationSec: 5,
    rps,
    p50: 1,
    p99: 2,
    clientCpuSec: 1,
    warmup: null,
    cpu: null,
  };
}

/** A scenario measured once, paired with its phase's constant route at `constantRps`. */
function measured(
  key: string,
  phase: Phase,
  rps: number,
  constantRps: number,
  errors = 0,
): ScenarioOutcome {
  return {
    key,
    title: key,
    phase,
    status: 'measured',
    runs: [{ measured: measurement(rps, errors), constant: measurement(constantRps) }],
  };
}

function constant(phase: Phase, rps: number): ScenarioOutcome {
  return {
    key: 'constant',
    title: 'constant',
    phase,
    status: 'measured',
    runs: [{ measured: measurement(rps), constant: null }],
  };
}

/** Bare constant 10,000 req/s; Gazette's constant 8,000; article JSON and its floor as given. */
function report(articleRps: number, floorRps: number | null, floorErrors = 0): BenchReport {
  const scenarios = [
    constant('primitives', 10_000),
    constant('origin', 8_000),
    measured('article-json', 'origin', articleRps, 8_000),
  ];
  if (floorRps !== null) {
    scenarios.push(measured('primitive-d1-session', 'primitives', floorRps, 10_000, floorErrors));
  }
  return {
    config: { only: ['constant', 'article-json', 'primitive-d1-session'] },
    startup: null,
    embed: null,
    bundle: { files: [], bytes: 0, gzip: 0, composition: [] },
    scenarios,
  } as unknown as BenchReport;
}

const articleBudget = (r: BenchReport) =>
  evaluateBudgets(r).find((b) => b.what === 'Article JSON from D1')!;

describe('evaluateBudgets: ratio budgets', () => {
  it("judges a route by the issue's figure", () => {
    const passing = articleBudget(report(1_000, 2_000));
    expect(passing).toMatchObject({ budget: '≥ 0.12 of constant', measured: '0.125' });
    expect(passing.status).toBe('pass');
    expect(articleBudget(report(900, 2_000)).status).toBe('fail');
  });

  it("still fails a route whose floor is below the issue's figure", () => {
    // Floor 800 / 8,000 = 0.1: nothing could reach 0.12 here, and the row says so, but fails.
    const result = articleBudget(report(730, 800));
    expect(result.status).toBe('fail');
    expect(result.floor).toMatchObject({ value: '0.100', belowBudget: true });
  });

  it('reports, for information, whether the route reached 0.9 × its floor', () => {
    expect(articleBudget(report(730, 800)).againstFloor).toEqual({
      min: expect.closeTo(0.09, 6),
      met: true,
    });
    expect(articleBudget(report(600, 800)).againstFloor).toMatchObject({ met: false });
    expect(articleBudget(report(900, null)).againstFloor).toBeUndefined();
  });

  it('leaves out a floor whose own requests failed', () => {
    // 2 % of the primitive's requests failed: its figure says nothing about the platform.
    const result = articleBudget(report(730, 800, 80));
    expect(result.floor).toBeUndefined();
    expect(result.againstFloor).toBeUndefined();
  });
});
