import { describe, expect, it } from 'vitest';
import {
  bounds,
  judge,
  renderSoakBlock,
  workerIsolate,
  type Checkpoint,
  type Phase,
  type SoakRun,
} from '../../scripts/lib/soak-report';

const labels = [
  'start of load',
  'end of the 20 s warm-up',
  'end of round 1',
  'end of round 2',
  'after 10 s without load',
];

/** A phase whose checkpoints have these heap-used and RSS figures, in MiB. */
function phase(used: number[], rss: number[], unanswered: string[] = []): Phase {
  const checkpoints: Checkpoint[] = labels.map((label, i) => ({
    label,
    at: i * 30,
    rssBefore: { rss: rss[i]! + 40, anon: rss[i]! - 20, file: 60 },
    rss: { rss: rss[i]!, anon: rss[i]! - 60, file: 60 },
    heaps: [
      { name: workerIsolate, usedMiB: used[i]!, totalMiB: used[i]! + 5, backingMiB: 1 },
      { name: 'cache:cache', usedMiB: 3, totalMiB: 9, backingMiB: 0.5 },
    ],
    unanswered: i === 3 ? unanswered : [],
  }));
  const result = (name: string, status5xx = 0) => ({
    name,
    connections: 1,
    rate: 0,
    sent: 100,
    ok: 100 - status5xx,
    status4xx: 0,
    status5xx,
    errors: 0,
    rps: 50,
    p99: 20,
  });
  return {
    rounds: [[result('reads')], [result('reads')]],
    samples: rss.map((r) => ({ rss: r, anon: r - 60, file: 60 })),
    checkpoints,
  };
}

function run(gazette: Phase, control = phase([1, 1, 1, 1, 1], [100, 150, 200, 220, 220])): SoakRun {
  return {
    command: 'npm run soak',
    date: '2026-12-01 19:00',
    seconds: 60,
    warmupSeconds: 20,
    idleSeconds: 10,
    articleCount: 500,
    gazette,
    control,
    beaconArticles: 20,
    expectedViews: 1200,
    liveViews: 1200,
    mismatches: 0,
  };
}

const verdict = (r: SoakRun, what: RegExp) => judge(r).find((c) => what.test(c.what))!;

describe('the soak judge', () => {
  it('passes a flat heap after collection and RSS that grows as the control does', () => {
    const checks = judge(run(phase([10, 24, 25, 25.5, 25], [120, 200, 260, 300, 300])));
    expect(checks.map((c) => c.pass)).toEqual([true, true, true, true]);
  });

  it('fails a heap that keeps growing after the warm-up', () => {
    const leaking = run(phase([10, 24, 27, 31, 31], [120, 200, 260, 300, 300]));
    const heap = verdict(leaking, /heap flat/);
    expect(heap.pass).toBe(false);
    expect(heap.measured).toBe('24.0 → 27.0 → 31.0 → 31.0 MiB (limit 28.4)');
  });

  it('does not pass a heap figure taken without a collection', () => {
    const missed = run(phase([10, 24, 25, 25, 25], [120, 200, 260, 300, 300], [workerIsolate]));
    expect(verdict(missed, /heap flat/).pass).toBe(false);
  });

  it('fails RSS that grows well beyond the control worker under the same load', () => {
    const control = phase([1, 1, 1, 1, 1], [100, 150, 200, 220, 220]);
    const limit = 120 * bounds.rssFactor + bounds.rssSlackMiB;
    const within = run(phase([10, 24, 25, 25, 25], [120, 200, 260, 120 + limit, 300]), control);
    expect(verdict(within, /RSS/).pass).toBe(true);
    const beyond = run(phase([10, 24, 25, 25, 25], [120, 200, 260, 121 + limit, 300]), control);
    expect(verdict(beyond, /RSS/).pass).toBe(false);
  });

  it('fails any 5xx and any count that does not add up', () => {
    const failing = phase([10, 24, 25, 25, 25], [120, 200, 260, 300, 300]);
    failing.rounds[1]![0]!.status5xx = 1;
    expect(verdict(run(failing), /5xx/).pass).toBe(false);
    const miscounted = { ...run(phase([10, 24, 25, 25, 25], [120, 200, 260, 300, 300])) };
    miscounted.mismatches = 1;
    expect(verdict(miscounted, /view counts/).pass).toBe(false);
  });

  it('renders every check, every checkpoint of both runs and the RSS samples', () => {
    const r = run(phase([10, 24, 25, 25, 25], [120, 200, 260, 300, 300]));
    const block = renderSoakBlock(r, judge(r));
    expect(block).toMatch(
      /^## Soak\n\n`npm run soak` \(scripts\/soak.ts\), 2026-12-01 19:00 UTC: 2 rounds/,
    );
    expect(block).toContain('**How memory is measured.**');
    expect(block).toContain(
      '| Gazette | end of round 2 | 90 | 340.0 | 300.0 (240.0 + 60.0) | 25.0 / 30.0 + 1.0 | 3.0 |',
    );
    expect(block).toContain(
      '| control | after 10 s without load | 120 | 260.0 | 220.0 (160.0 + 60.0) |',
    );
    expect(block).toContain('workerd RSS samples, control (peak 220.0): 100 150 200 220 220');
    expect(block.match(/\| pass \|/g)).toHaveLength(4);
  });
});
