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
const adminConfigPath = join(projectRoot, 'wrangler.admin.toml');

/** The part of wrangler's resolved configuration compared here. */
interface ResolvedConfig {
  name?: string;
  d1_databases: { binding: string; database_id?: string }[];
  r2_buckets: { binding: string; bucket_name?: string }[];
  durable_objects: { bindings: { name: string; class_name: string; script_name?: string }[] };
  services?: { binding: string; service: string; entrypoint?: string }[];
  migrations: { tag: string; new_sqlite_classes?: string[] }[];
  routes?: unknown[];
  workers_dev?: boolean;
  ratelimits?: { name: string; namespace_id: string }[];
  vars: Record<string, unknown>;
  triggers: { crons?: string[] };
  observability?: { logs?: { invocation_logs?: boolean } };
}

// The root tsconfig sees wrangler's types through the Workers lib, where they resolve loosely.
const read = (env?: string, config = configPath) =>
  unstable_readConfig({ config, env }) as unknown as ResolvedConfig;
const readAdmin = (env?: string) => read(env, adminConfigPath);

function bindings(config: ResolvedConfig) {
  return {
    d1: config.d1_databases.map((d) => d.binding).sort(),
    r2: config.r2_buckets.map((b) => b.binding).sort(),
    durableObjects: config.durable_objects.bindings.map((b) => `${b.name}:${b.class_name}`).sort(),
    services: (config.services ?? []).map((b) => `${b.binding}:${b.entrypoint ?? ''}`).sort(),
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

describe('wrangler.admin.toml, the admin worker beside the reader', () => {
  const envs = [undefined, 'staging', 'production'] as const;

  it.each(['staging', 'production'] as const)(
    'declares %s with every binding, var and cron of its top level',
    (name) => {
      expect(readFileSync(adminConfigPath, 'utf8')).toContain(`[env.${name}]`);
      expect(bindings(readAdmin(name))).toEqual(bindings(readAdmin()));
    },
  );

  it.each(envs)('shares the reader’s database, bucket, vars and rate limits (env %s)', (name) => {
    const reader = read(name);
    const admin = readAdmin(name);
    expect(admin.d1_databases).toEqual(reader.d1_databases);
    expect(admin.r2_buckets).toEqual(reader.r2_buckets);
    expect(admin.vars).toEqual(reader.vars);
    expect(admin.ratelimits).toEqual(reader.ratelimits);
    expect(admin.observability?.logs?.invocation_logs).toBe(false);
  });

  it.each(envs)('binds the two workers to each other by their names (env %s)', (name) => {
    const reader = read(name);
    const admin = readAdmin(name);
    // The reader forwards writers' paths to the admin worker of the same environment.
    expect(reader.services).toEqual([{ binding: 'ADMIN', service: admin.name }]);
    // The admin worker counts views in the reader's objects and purges through the reader.
    expect(admin.durable_objects.bindings.find((b) => b.name === 'VIEW_COUNTER')).toEqual({
      name: 'VIEW_COUNTER',
      class_name: 'ViewCounter',
      script_name: reader.name,
    });
    expect(admin.services).toEqual([
      { binding: 'CACHE_PURGE', service: reader.name, entrypoint: 'CachePurge' },
    ]);
    expect(admin.name).not.toBe(reader.name);
  });

  it.each(envs)('gives the admin worker no public route and the cron (env %s)', (name) => {
    const reader = read(name);
    const admin = readAdmin(name);
    expect(admin.routes ?? []).toEqual([]);
    expect(admin.workers_dev).toBe(false);
    expect(admin.triggers.crons).toEqual(['* * * * *']);
    expect(reader.triggers.crons ?? []).toEqual([]);
  });

  it('creates each Durable Object class in the one worker that runs it', () => {
    const classes = (c: ResolvedConfig) => c.migrations.flatMap((m) => m.new_sqlite_classes ?? []);
    expect(classes(read())).toEqual(['ViewCounter']);
    expect(classes(readAdmin()).sort()).toEqual(['ImportJob', 'WebhookDelivery']);
    const local = (c: ResolvedConfig) =>
      c.durable_objects.bindings.filter((b) => !b.script_name).map((b) => b.class_name);
    expect(local(read())).toEqual(['ViewCounter']);
    expect(local(readAdmin()).sort()).toEqual(['ImportJob', 'WebhookDelivery']);
  });
});
