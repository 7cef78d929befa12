import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/run-worker';

/**
 * Wrangler environments inherit no bindings or vars, so a binding added at the top level (local
 * development and tests) but forgotten in staging or production would deploy a worker that fails
 * at its first request. Read the configuration as wrangler does and compare.
 */
const configPath = join(projectRoot, 'wrangler.toml');

/** The part of wrangler's resolved configuration compared here. */
interface ResolvedConfig {
  d1_databases: { binding: string; database_id?: string }[];
  r2_buckets: { binding: string; bucket_name?: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  ratelimits?: { name: string; namespace_id: string }[];
  vars: Record<string, unknown>;
  triggers: { crons?: string[] };
  observability?: { logs?: { invocation_logs?: boolean } };
}

// The root tsconfig sees wrangler's types through the Workers lib, where they resolve loosely.
const read = (env?: string) =>
  unstable_readConfig({ config: configPath, env }) as unknown as ResolvedConfig;

function bindings(config: ResolvedConfig) {
  return {
    d1: config.d1_databases.map((d) => d.binding).sort(),
    r2: config.r2_buckets.map((b) => b.binding).sort(),
    durableObjects: config.durable_objects.bindings.map((b) => `${b.name}:${b.class_name}`).sort(),
    rateLimits: (config.ratelimits ?? []).map((r) => r.name).sort(),
    vars: Object.keys(config.vars).sort(),
    crons: config.triggers.crons,
  };
}

describe('wrangler.toml environments', () => {
  const local = read();
  const envs = ['staging', 'production'] as const;

  it.each(envs)('declares %s with every binding, var and cron of the top level', (name) => {
    expect(readFileSync(configPath, 'utf8')).toContain(`[env.${name}]`);
    expect(bindings(read(name))).toEqual(bindings(local));
  });

  it('gives each environment its own database, bucket and rate-limit namespaces', () => {
    const [staging, production] = envs.map((name) => read(name));
    expect(staging!.d1_databases[0]!.database_id).not.toBe(
      production!.d1_databases[0]!.database_id,
    );
    expect(staging!.r2_buckets[0]!.bucket_name).not.toBe(production!.r2_buckets[0]!.bucket_name);
    const namespaces = [local, staging!, production!].flatMap((c) =>
      (c.ratelimits ?? []).map((r) => r.namespace_id),
    );
    expect(new Set(namespaces).size).toBe(namespaces.length);
  });

  it('keeps the platform from logging request metadata in every environment', () => {
    for (const config of [local, ...envs.map((name) => read(name))]) {
      expect(config.observability?.logs?.invocation_logs).toBe(false);
    }
  });
});
