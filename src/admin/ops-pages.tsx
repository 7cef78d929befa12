import { z } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { primaryDb } from '../auth/session';
import { listTokensQuery } from '../auth/tokens';
import { listUsers } from '../auth/users';
import { auditContext, listAuditEntries, type AuditEntryView } from '../authoring/audit';
import { webhookEventTypes, type AuditOutcome } from '../db/schema';
import { decodeCursor, encodeCursor, queryFingerprint } from '../lib/cursor';
import { AppError } from '../lib/errors';
import { addDays, startOfZonedDay, zonedDateTime } from '../lib/time';
import type { ImportJobView } from '../transfer/schemas';
import { deliveryLog } from '../webhooks/client';
import {
  createWebhookCommand,
  deleteWebhookCommand,
  eventList,
  hookUrl,
  redeliverWebhookCommand,
  updateWebhookCommand,
} from '../webhooks/commands';
import type { DeliveryRecord } from '../webhooks/delivery';
import { findWebhook, listWebhooks, webhookInfo, type WebhookInfo } from '../webhooks/queries';
import {
  ActionButton,
  adminsOnly,
  Alert,
  Csrf,
  framedPage,
  idParam,
  Notice,
  postedForm,
  refusalPage,
  type AdminFrame,
  type AdminFrameProps,
  type AdminPageContext,
  type AdminPageEnv,
} from './form-kit';
import { opsLabels, type AdminLabels, type OpsLabels } from './labels';

/**
 * The admins' operations pages: the audit log, webhooks with their delivery log, and import
 * and export. Server-rendered forms posting with the session's CSRF token; every write goes
 * through the same command functions as the admin API (src/webhooks/commands.ts), and the
 * import page uploads to the import API itself (src/client/admin/import.ts).
 */

type Frame = AdminFrameProps;
type PagesContext = AdminPageContext;
type Section = 'audit' | 'webhooks' | 'import';

const auditPageSize = 50;
const deliveryPageSize = 20;
const deliveryCursor = /^[0-9]{1,16}~dlv_[0-9]{1,16}_[0-9a-f]{32}$/;

function opsOf(labels: AdminLabels): OpsLabels {
  return opsLabels(labels.langTag === 'en' ? 'en' : 'zh-CN');
}
const ops = (f: Frame) => opsOf(f.labels);

/** A form's errors, each in words, above the form. */
function FormErrors(props: { o: OpsLabels; errors?: string[] }) {
  return props.errors?.length ? <Alert title={props.o.fixErrors} items={props.errors} /> : null;
}

function Time(props: { at: Date | number | null; zone: string }) {
  if (props.at === null) return <span>—</span>;
  const at = new Date(props.at);
  return <time datetime={at.toISOString()}>{zonedDateTime(at, props.zone)}</time>;
}

type Column = string | { label: string; num?: true; hidden?: true };

/** A listing table: its header row from the column names, its rows as children. */
function OpsTable(props: { name: string; columns: Column[]; children: Child }) {
  return (
    <table class="article-list ops-table" data-table={props.name}>
      <thead>
        <tr>
          {props.columns.map((col) => {
            const c = typeof col === 'string' ? { label: col } : col;
            return (
              <th scope="col" class={c.num ? 'num' : undefined}>
                {c.hidden ? <span class="visually-hidden">{c.label}</span> : c.label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** An AppError from a command as the page shows it: its status, its detail, inline. */
function failurePage(
  c: PagesContext,
  frame: AdminFrame,
  section: Section,
  err: unknown,
  back: (o: OpsLabels) => { href: string; label: string },
) {
  if (!(err instanceof AppError)) throw err;
  const status = ([400, 403, 404, 409, 422] as const).find((s) => s === err.status) ?? 400;
  return refusalPage(
    c,
    frame,
    (labels) => {
      const o = opsOf(labels);
      const csrf = err.code === 'csrf_failed';
      return {
        title: csrf ? o.forbiddenTitle : o.errorTitle,
        message: csrf ? o.csrfFailed : err.code === 'not_found' ? o.notFound : (err.detail ?? ''),
        back: back(o),
      };
    },
    status,
    section,
  );
}

const one = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value) ?? '';
const many = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

// --- The audit log -----------------------------------------------------------------------

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

function ActorCell(props: { entry: AuditEntryView; o: OpsLabels }) {
  const e = props.entry;
  if (e.actorDisplayName) {
    return (
      <>
        <strong>{e.actorDisplayName}</strong> <span class="hint">({e.actorName})</span>
      </>
    );
  }
  if (e.actorRole === 'system') {
    return (
      <>
        {props.o.system}: {e.actorName}
      </>
    );
  }
  return (
    <>
      {props.o.token}: <strong>{e.actorName}</strong>
    </>
  );
}

function TargetCell(props: { entry: AuditEntryView }) {
  const e = props.entry;
  if (e.targetType === 'article' && e.targetId && /^\d+$/.test(e.targetId)) {
    return <a href={`/admin/articles/${e.targetId}`}>{`article ${e.targetId}`}</a>;
  }
  if (e.targetType === 'webhook' && e.targetId && /^\d+$/.test(e.targetId)) {
    return <a href={`/admin/webhooks/${e.targetId}`}>{`webhook ${e.targetId}`}</a>;
  }
  if (e.targetType === 'import' && e.targetId && /^[0-9a-f]{64}$/.test(e.targetId)) {
    return <a href={`/admin/import/${e.targetId}`}>{`import ${e.targetId.slice(0, 12)}…`}</a>;
  }
  return <>{e.targetId ? `${e.targetType} ${e.targetId}` : e.targetType}</>;
}

async function auditPage(c: PagesContext, f: Frame) {
  const o = ops(f);
  const q = c.req.query();
  const actor = q.actor?.trim().slice(0, 100) || undefined;
  const action = q.action?.trim().slice(0, 100) || undefined;
  const article = q.article?.trim() || undefined;
  const from = q.from?.trim() || undefined;
  const to = q.to?.trim() || undefined;
  const errors: string[] = [];
  const since = from ? startOfZonedDay(from, f.timeZone) : undefined;
  const until = to && dayPattern.test(to) ? startOfZonedDay(addDays(to, 1), f.timeZone) : null;
  if ((from && !since) || (to && !until)) errors.push(o.badDate);
  if (article && !/^[1-9][0-9]{0,15}$/.test(article)) errors.push(o.badArticleId);
  const filters = {
    ...(actor ? { actor } : {}),
    ...(action ? { action } : {}),
    ...(article ? { article } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
  const fingerprint = queryFingerprint({ auditPage: 1, ...filters });
  let beforeId: number | undefined;
  let notice: string | null = null;
  if (q.cursor) {
    try {
      beforeId = decodeCursor(q.cursor, fingerprint, ['number'])[0] as number;
    } catch {
      notice = o.badCursor;
    }
  }
  const db = primaryDb(c);
  const [people, tokens] = await Promise.all([listUsers(db), listTokensQuery(db)]);
  let rows: AuditEntryView[] = [];
  if (!errors.length) {
    rows = await listAuditEntries(db, {
      actorName: actor,
      ...(action?.endsWith('.') ? { actionPrefix: action } : { action }),
      ...(article ? { targetType: 'article', targetId: article } : {}),
      since: since ?? undefined,
      until: until ?? undefined,
      beforeId,
      limit: auditPageSize + 1,
    });
  }
  const shown = rows.slice(0, auditPageSize);
  const nextHref =
    rows.length > auditPageSize
      ? `/admin/audit?${new URLSearchParams({
          ...filters,
          cursor: encodeCursor([shown.at(-1)!.id], fingerprint),
        }).toString()}`
      : null;
  const known = new Set([
    ...people.map((p) => p.username),
    ...tokens.map((t) => t.name),
    'scheduler',
  ]);
  return framedPage(
    c,
    f,
    o.audit,
    'audit',
    <>
      <form method="get" action="/admin/audit" class="filters" role="search">
        <label>
          {o.actor}
          <select name="actor">
            <option value="">{o.anyActor}</option>
            <optgroup label={o.people}>
              {people.map((p) => (
                <option value={p.username} selected={actor === p.username}>
                  {`${p.displayName} (${p.username})`}
                </option>
              ))}
            </optgroup>
            <optgroup label={o.tokens}>
              {tokens.map((t) => (
                <option value={t.name} selected={actor === t.name}>
                  {t.name}
                </option>
              ))}
            </optgroup>
            <optgroup label={o.system}>
              <option value="scheduler" selected={actor === 'scheduler'}>
                scheduler
              </option>
              {actor && !known.has(actor) ? (
                <option value={actor} selected>
                  {actor}
                </option>
              ) : null}
            </optgroup>
          </select>
        </label>
        <label>
          {o.action}
          <input name="action" value={action ?? ''} maxlength={100} title={o.actionHint} />
        </label>
        <label>
          {o.article}
          <input
            name="article"
            value={article ?? ''}
            inputmode="numeric"
            maxlength={16}
            title={o.articleIdHint}
          />
        </label>
        <label>
          {o.dateFrom}
          <input type="date" name="from" value={from ?? ''} title={o.dateHint} />
        </label>
        <label>
          {o.dateTo}
          <input type="date" name="to" value={to ?? ''} title={o.dateHint} />
        </label>
        <button type="submit">{f.labels.filter}</button>
      </form>
      <p class="hint">
        {o.actionHint} · {o.dateHint}: {f.timeZone}
      </p>
      {errors.length ? <Alert title={f.labels.filter} items={errors} /> : null}
      <Notice status={notice} />
      {shown.length ? (
        <OpsTable
          name="audit"
          columns={[o.time, o.actor, o.action, o.target, o.changedFields, o.outcome, o.requestId]}
        >
          {shown.map((e) => (
            <tr data-audit-id={String(e.id)}>
              <td>
                <Time at={e.at} zone={f.timeZone} />
              </td>
              <td>
                <ActorCell entry={e} o={o} />
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                <TargetCell entry={e} />
              </td>
              <td>{e.changedFields ? (JSON.parse(e.changedFields) as string[]).join(', ') : ''}</td>
              <td>{o.outcomes[e.outcome as AuditOutcome] ?? e.outcome}</td>
              <td>
                <code>{e.requestId ?? ''}</code>
              </td>
            </tr>
          ))}
        </OpsTable>
      ) : errors.length ? null : (
        <p>{o.noEntries}</p>
      )}
      <p>
        {q.cursor ? (
          <a href={`/admin/audit?${new URLSearchParams(filters).toString()}`}>{o.newestEntries}</a>
        ) : null}{' '}
        {nextHref ? (
          <a href={nextHref} rel="next">
            {o.olderEntries}
          </a>
        ) : null}
      </p>
    </>,
    errors.length ? 400 : 200,
  );
}

// --- Webhooks ----------------------------------------------------------------------------

const webhookForm = z.object({
  url: hookUrl,
  events: eventList,
  description: z.string().trim().max(200),
});

interface WebhookValues {
  url: string;
  events: string[];
  description: string;
}

/** The form's values checked by the API's own schema, or its errors in words. */
function parseWebhookForm(
  form: Record<string, string | string[]>,
  o: OpsLabels,
): { values: WebhookValues; ok: z.infer<typeof webhookForm> | null; errors: string[] } {
  const values = {
    url: one(form.url).trim(),
    events: many(form.events),
    description: one(form.description),
  };
  const parsed = webhookForm.safeParse(values);
  if (parsed.success) return { values, ok: parsed.data, errors: [] };
  const names: Record<string, string> = {
    url: o.url,
    events: o.events,
    description: o.description,
  };
  return {
    values,
    ok: null,
    errors: parsed.error.issues.map(
      (i) => `${names[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`,
    ),
  };
}

function WebhookFields(props: { o: OpsLabels; values: WebhookValues; idPrefix: string }) {
  const { o, values } = props;
  return (
    <>
      <label for={`${props.idPrefix}-url`}>{o.url}</label>
      <input
        id={`${props.idPrefix}-url`}
        name="url"
        type="url"
        required
        maxlength={2000}
        value={values.url}
        aria-describedby={`${props.idPrefix}-url-hint`}
      />
      <p id={`${props.idPrefix}-url-hint`} class="hint">
        {o.urlHint}
      </p>
      <fieldset>
        <legend>{o.events}</legend>
        {webhookEventTypes.map((type) => (
          <label class="check">
            <input
              type="checkbox"
              name="events"
              value={type}
              checked={values.events.includes(type)}
            />{' '}
            {o.eventNames[type]} <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <label for={`${props.idPrefix}-description`}>{o.description}</label>
      <input
        id={`${props.idPrefix}-description`}
        name="description"
        maxlength={200}
        value={values.description}
      />
    </>
  );
}

async function webhookListPage(
  c: PagesContext,
  f: Frame,
  form: { values: WebhookValues; errors: string[] } | null = null,
) {
  const o = ops(f);
  const hooks = (await listWebhooks(primaryDb(c))).map(webhookInfo);
  const done = c.req.query('done') === 'deleted' ? o.deleted : null;
  return framedPage(
    c,
    f,
    o.webhooks,
    'webhooks',
    <>
      <Notice status={done} />
      {hooks.length ? (
        <OpsTable
          name="webhooks"
          columns={[o.url, o.events, o.description, f.labels.status, f.labels.updatedAt]}
        >
          {hooks.map((h) => (
            <tr>
              <td>
                <a href={`/admin/webhooks/${h.id}`}>{h.url}</a>
              </td>
              <td>{h.events.map((e) => o.eventNames[e] ?? e).join('、')}</td>
              <td>{h.description}</td>
              <td>
                <span class={`badge ${h.active ? 'badge-published' : 'badge-archived'}`}>
                  {h.active ? o.active : o.disabled}
                </span>
              </td>
              <td>
                <Time at={h.updatedAt} zone={f.timeZone} />
              </td>
            </tr>
          ))}
        </OpsTable>
      ) : (
        <p>{o.noWebhooks}</p>
      )}
      <h2 id="new-webhook">{o.newWebhook}</h2>
      <form method="post" action="/admin/webhooks" class="card" aria-labelledby="new-webhook">
        <Csrf token={f.csrf} />
        <FormErrors o={o} errors={form?.errors} />
        <WebhookFields
          o={o}
          idPrefix="new"
          values={form?.values ?? { url: '', events: ['article.published'], description: '' }}
        />
        <button type="submit" class="primary">
          {o.create}
        </button>
      </form>
    </>,
    form?.errors.length ? 422 : 200,
  );
}

function DeliveryRows(props: {
  o: OpsLabels;
  f: Frame;
  hook: WebhookInfo;
  deliveries: DeliveryRecord[];
}) {
  const { o, f, hook } = props;
  return (
    <OpsTable
      name="deliveries"
      columns={[
        o.time,
        o.event,
        o.deliveryStatus,
        { label: o.attempts, num: true },
        o.responseCode,
        o.lastAttempt,
        o.nextAttempt,
        { label: o.redeliver, hidden: true },
      ]}
    >
      {props.deliveries.map((d) => {
        const last = d.attempts.at(-1);
        return (
          <tr data-delivery={d.id}>
            <td>
              <Time at={d.createdAt} zone={f.timeZone} />
            </td>
            <td>
              <code>{d.type}</code>
            </td>
            <td>
              <span
                class={`badge ${d.status === 'delivered' ? 'badge-published' : d.status === 'pending' ? 'badge-scheduled' : 'badge-archived'}`}
              >
                {o.deliveryStatuses[d.status] ?? d.status}
              </span>
            </td>
            <td class="num">{d.attempts.length}</td>
            <td>
              {last
                ? last.status === null
                  ? `${o.noResponse} (${last.error ?? ''})`
                  : last.status
                : ''}
            </td>
            <td>
              <Time at={last?.at ?? null} zone={f.timeZone} />
            </td>
            <td>
              <Time at={d.nextAttemptAt} zone={f.timeZone} />
            </td>
            <td>
              {d.status !== 'pending' && hook.active ? (
                <ActionButton
                  action={`/admin/webhooks/${hook.id}/deliveries/${d.id}/redeliver`}
                  csrf={f.csrf}
                  label={o.redeliver}
                />
              ) : null}
            </td>
          </tr>
        );
      })}
    </OpsTable>
  );
}

async function webhookPage(
  c: PagesContext,
  f: Frame,
  id: number,
  form: { values: WebhookValues; errors: string[] } | null = null,
) {
  const o = ops(f);
  const row = await findWebhook(primaryDb(c), id);
  if (!row) throw new AppError('not_found', { detail: `No webhook ${id}` });
  const hook = webhookInfo(row);
  const before = c.req.query('before');
  const log = await deliveryLog(c.env, id, {
    limit: deliveryPageSize,
    before: before && deliveryCursor.test(before) ? before : undefined,
  });
  const done = c.req.query('done');
  const notices: Record<string, string> = {
    saved: o.saved,
    redelivered: o.redelivered,
    enabled: o.saved,
    disabled: o.saved,
  };
  return framedPage(
    c,
    f,
    `${o.editWebhook} #${hook.id}`,
    'webhooks',
    <>
      <p>
        <a href="/admin/webhooks">{o.backToWebhooks}</a>
      </p>
      <Notice status={done ? notices[done] : null} />
      <form method="post" action={`/admin/webhooks/${hook.id}`} class="card">
        <Csrf token={f.csrf} />
        <FormErrors o={o} errors={form?.errors} />
        <WebhookFields o={o} idPrefix="edit" values={form?.values ?? hook} />
        <button type="submit" class="primary">
          {f.labels.save}
        </button>
      </form>
      <div class="toolbar">
        <span class={`badge ${hook.active ? 'badge-published' : 'badge-archived'}`}>
          {hook.active ? o.active : o.disabled}
        </span>
        <ActionButton
          action={`/admin/webhooks/${hook.id}/active`}
          csrf={f.csrf}
          label={hook.active ? o.disable : o.enable}
          fields={{ active: hook.active ? '0' : '1' }}
        />
        <ActionButton
          action={`/admin/webhooks/${hook.id}/delete`}
          csrf={f.csrf}
          label={o.delete}
          describedBy="delete-hint"
        />
        <span id="delete-hint" class="hint">
          {o.deleteConfirm}
        </span>
      </div>
      <h2>{o.deliveryLog}</h2>
      {log.data.length ? (
        <DeliveryRows o={o} f={f} hook={hook} deliveries={log.data} />
      ) : (
        <p>{o.noDeliveries}</p>
      )}
      {log.nextBefore ? (
        <p>
          <a
            href={`/admin/webhooks/${hook.id}?before=${encodeURIComponent(log.nextBefore)}`}
            rel="next"
          >
            {o.olderDeliveries}
          </a>
        </p>
      ) : null}
    </>,
    form?.errors.length ? 422 : 200,
  );
}

function createdPage(c: PagesContext, f: Frame, hook: WebhookInfo, secret: string) {
  const o = ops(f);
  return framedPage(
    c,
    f,
    o.webhookCreated,
    'webhooks',
    <div class="card">
      <p class="alert" role="status">
        {o.secretOnce}
      </p>
      <p>
        {o.url}: <code>{hook.url}</code>
      </p>
      <label for="webhook-secret">{o.secret}</label>
      <input id="webhook-secret" readonly value={secret} class="secret-field" data-role="secret" />
      <p>
        <a href={`/admin/webhooks/${hook.id}`}>{`${o.editWebhook} #${hook.id}`}</a> ·{' '}
        <a href="/admin/webhooks">{o.backToWebhooks}</a>
      </p>
    </div>,
  );
}

// --- Import and export -------------------------------------------------------------------

function importPage(c: PagesContext, f: Frame) {
  const o = ops(f);
  return framedPage(
    c,
    f,
    o.importExport,
    'import',
    <>
      <h2 id="import-title">{o.importTitle}</h2>
      <form class="card" data-form="import" aria-labelledby="import-title">
        <noscript>
          <p class="alert">{o.needsScript}</p>
        </noscript>
        <p class="alert" role="alert" hidden data-role="error"></p>
        <label for="import-file">{o.importFile}</label>
        <input
          id="import-file"
          name="file"
          type="file"
          required
          accept=".ndjson,.jsonl,.json,application/x-ndjson,application/json"
          aria-describedby="import-hint"
        />
        <p id="import-hint" class="hint">
          {o.importHint}
        </p>
        <fieldset>
          <legend>{o.format}</legend>
          <label class="check">
            <input type="radio" name="format" value="ndjson" checked /> {o.formatNdjson}
          </label>
          <label class="check">
            <input type="radio" name="format" value="municipal" /> {o.formatMunicipal}
          </label>
        </fieldset>
        <p class="hint" hidden data-role="uploading">
          {o.uploading}
        </p>
        <button type="submit" class="primary">
          {o.upload}
        </button>
      </form>
      <h2>{o.exportTitle}</h2>
      <p>{o.exportHint}</p>
      <p>
        <a class="button" href="/api/v1/admin/export" download="gazette-export.ndjson">
          {o.exportDownload}
        </a>
      </p>
    </>,
  );
}

function JobReport(props: { o: OpsLabels; job: ImportJobView }) {
  const { o, job } = props;
  const r = job.report;
  const counts = [
    ['lines', o.linesTotal, r.lines],
    ['processed', o.processed, r.processed],
    ['created', o.created, r.created],
    ['updated', o.updated, r.updated],
    ['unchanged', o.unchanged, r.unchanged],
    ['channelsCreated', o.channelsCreated, r.channelsCreated],
    ['tagsCreated', o.tagsCreated, r.tagsCreated],
    ['rejected', o.rejected, r.rejected],
  ] as const;
  const finished = job.status === 'done' || job.status === 'failed';
  return (
    <section
      class="card import-job"
      data-import-job={job.id}
      data-status={job.status}
      aria-live="polite"
    >
      <p>
        {o.jobStatuses[job.status] ?? job.status}{' '}
        <span
          class={`badge badge-${job.status === 'done' ? 'published' : job.status === 'failed' ? 'archived' : 'scheduled'}`}
          data-role="status"
        >
          {job.status}
        </span>
      </p>
      <label for="import-progress">{o.progress}</label>
      <progress
        id="import-progress"
        max={Math.max(r.lines, 1)}
        value={finished ? Math.max(r.lines, 1) : r.processed}
        data-role="progress"
      >
        {`${r.processed} / ${r.lines}`}
      </progress>
      <dl class="import-counts">
        {counts.map(([key, label, value]) => (
          <>
            <dt>{label}</dt>
            <dd data-count={key}>{value}</dd>
          </>
        ))}
      </dl>
      {job.error ? <Alert title={`${o.jobError}: ${job.error}`} /> : null}
      {finished ? (
        <>
          <h2>{o.rejectedLines}</h2>
          {r.rejections.length ? (
            <OpsTable
              name="rejections"
              columns={[{ label: o.line, num: true }, o.externalId, o.reason]}
            >
              {r.rejections.map((rej) => (
                <tr>
                  <td class="num">{rej.line}</td>
                  <td>{rej.externalId ?? ''}</td>
                  <td>{rej.reason}</td>
                </tr>
              ))}
            </OpsTable>
          ) : (
            <p>{o.noRejections}</p>
          )}
          <p>
            <a href={`/admin/audit?${new URLSearchParams({ action: 'article.' }).toString()}`}>
              {o.audit}
            </a>{' '}
            · <a href="/admin/import">{o.newImport}</a>
          </p>
        </>
      ) : null}
    </section>
  );
}

async function importJobPage(c: PagesContext, f: Frame, job: string) {
  const o = ops(f);
  const env = c.env as Env;
  let view: ImportJobView | null = null;
  try {
    view = await env.IMPORT_JOB.get(env.IMPORT_JOB.idFromString(job)).status();
  } catch {
    view = null;
  }
  if (!view) throw new AppError('not_found', { detail: `No import job ${job}` });
  return framedPage(
    c,
    f,
    o.importJob,
    'import',
    <>
      <JobReport o={o} job={view} />
    </>,
  );
}

// --- Wiring ------------------------------------------------------------------------------

/**
 * Mounts the operations pages on the admin pages' app, after its session middleware (which
 * sets the signed-in person and the CSRF token). Admins only: anyone else gets a 403 page.
 */
export function opsPages(app: Hono<AdminPageEnv>, frame: AdminFrame) {
  const opsAdminsOnly = adminsOnly(frame, (labels) => ({
    title: opsOf(labels).forbiddenTitle,
    message: opsOf(labels).adminsOnly,
    back: { href: '/admin', label: labels.articles },
  }));
  for (const path of [
    '/admin/audit',
    '/admin/webhooks',
    '/admin/webhooks/*',
    '/admin/import',
    '/admin/import/*',
  ]) {
    app.use(path, opsAdminsOnly);
  }

  /** Runs a page's work; its AppErrors (CSRF, not found, conflict) render inline. */
  const guarded =
    (
      section: Section,
      back: (o: OpsLabels) => { href: string; label: string },
      handler: (c: PagesContext, f: Frame) => Promise<Response>,
    ) =>
    async (c: PagesContext) => {
      try {
        return await handler(c, frame(c));
      } catch (err) {
        return failurePage(c, frame, section, err, back);
      }
    };
  const toAudit = (o: OpsLabels) => ({ href: '/admin/audit', label: o.audit });
  const toHooks = (o: OpsLabels) => ({ href: '/admin/webhooks', label: o.backToWebhooks });
  const toImport = (o: OpsLabels) => ({ href: '/admin/import', label: o.importExport });
  const hookId = (c: PagesContext) => idParam(c);
  const idPath = '/admin/webhooks/:id{[1-9][0-9]{0,15}}';

  app.get('/admin/audit', guarded('audit', toAudit, auditPage));

  app.get(
    '/admin/webhooks',
    guarded('webhooks', toHooks, (c, f) => webhookListPage(c, f)),
  );
  app.post(
    '/admin/webhooks',
    guarded('webhooks', toHooks, async (c, f) => {
      const form = parseWebhookForm(await postedForm(c, { all: true }), ops(f));
      if (!form.ok) return webhookListPage(c, f, form);
      const { webhook, secret } = await createWebhookCommand(
        primaryDb(c),
        form.ok,
        auditContext(c),
      );
      return createdPage(c, f, webhook, secret);
    }),
  );
  app.get(
    idPath,
    guarded('webhooks', toHooks, (c, f) => webhookPage(c, f, hookId(c))),
  );
  app.post(
    idPath,
    guarded('webhooks', toHooks, async (c, f) => {
      const form = parseWebhookForm(await postedForm(c, { all: true }), ops(f));
      if (!form.ok) return webhookPage(c, f, hookId(c), form);
      const info = await updateWebhookCommand(
        primaryDb(c),
        c.env,
        hookId(c),
        form.ok,
        auditContext(c),
      );
      if (!info) throw new AppError('not_found', { detail: `No webhook ${hookId(c)}` });
      return c.redirect(`/admin/webhooks/${info.id}?done=saved`, 303);
    }),
  );
  app.post(
    `${idPath}/active`,
    guarded('webhooks', toHooks, async (c) => {
      const form = await postedForm(c, { all: true });
      const active = one(form.active) === '1';
      const info = await updateWebhookCommand(
        primaryDb(c),
        c.env,
        hookId(c),
        { active },
        auditContext(c),
      );
      if (!info) throw new AppError('not_found', { detail: `No webhook ${hookId(c)}` });
      return c.redirect(`/admin/webhooks/${info.id}?done=${active ? 'enabled' : 'disabled'}`, 303);
    }),
  );
  app.post(
    `${idPath}/delete`,
    guarded('webhooks', toHooks, async (c) => {
      await postedForm(c, { all: true });
      if (!(await deleteWebhookCommand(primaryDb(c), c.env, hookId(c), auditContext(c)))) {
        throw new AppError('not_found', { detail: `No webhook ${hookId(c)}` });
      }
      return c.redirect('/admin/webhooks?done=deleted', 303);
    }),
  );
  app.post(
    `${idPath}/deliveries/:delivery{dlv_[0-9]{1,16}_[0-9a-f]{32}}/redeliver`,
    guarded('webhooks', toHooks, async (c) => {
      await postedForm(c, { all: true });
      await redeliverWebhookCommand(
        primaryDb(c),
        c.env,
        hookId(c),
        c.req.param('delivery')!,
        auditContext(c),
      );
      return c.redirect(`/admin/webhooks/${hookId(c)}?done=redelivered`, 303);
    }),
  );

  app.get(
    '/admin/import',
    guarded('import', toImport, async (c, f) => importPage(c, f)),
  );
  app.get(
    '/admin/import/:job{[0-9a-f]{64}}',
    guarded('import', toImport, (c, f) => importJobPage(c, f, c.req.param('job')!)),
  );
}
