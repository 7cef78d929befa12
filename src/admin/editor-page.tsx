import { raw } from 'hono/html';
import type { AdminArticle } from '../authoring/queries';
import type { AdminLabels } from './labels';

export interface ChannelOption {
  slug: string;
  name: string;
  depth: number;
}

/** The toolbar's formats (what admin.js applies) and their labels. */
const formats = [
  ['bold', 'bold'],
  ['h2', 'heading'],
  ['ul', 'bulletList'],
  ['ol', 'numberedList'],
  ['blockquote', 'quote'],
] as const;

/** A button admin.js acts on by its `data-action`, labelled by the action's own label. */
function EditorButton(props: {
  l: AdminLabels;
  action: 'publish' | 'schedule' | 'unpublish' | 'archive' | 'preview';
}) {
  return (
    <button type="button" data-action={props.action}>
      {props.l[props.action]}
    </button>
  );
}

/**
 * The article editor. The body is the stored HTML, which the server sanitized on write
 * (src/lib/sanitize.ts), so it is placed as is, exactly as the reader page places it.
 * admin.js (src/client/admin/editor.ts) saves through the admin API with If-Match.
 */
export function EditorForm(props: {
  labels: AdminLabels;
  article: AdminArticle | null;
  channels: ChannelOption[];
}) {
  const { labels: l, article: a } = props;
  return (
    <form
      class="editor"
      data-form="editor"
      data-id={a ? String(a.id) : ''}
      data-etag={a ? `"a${a.id}-v${a.version}"` : ''}
      data-status={a?.status ?? 'draft'}
      data-published-at={a?.publishedAt?.toISOString()}
    >
      <p class="alert" role="alert" hidden data-role="error"></p>
      <div class="conflict" hidden data-role="conflict">
        <p role="alert">{l.conflict}</p>
        <button type="button" data-action="diff">
          {l.showDifference}
        </button>
        <div class="diff" hidden data-role="diff">
          <section>
            <h2>{l.theirs}</h2>
            <div data-role="theirs"></div>
          </section>
          <section>
            <h2>{l.mine}</h2>
            <div data-role="mine"></div>
          </section>
        </div>
      </div>
      <p class="status-line" role="status" data-role="status" data-saved={l.saved}></p>
      <div class="fields">
        <label for="f-title">{l.title}</label>
        <input id="f-title" name="title" required maxlength={300} value={a?.title ?? ''} />
        <label for="f-channel">{l.channel}</label>
        <select id="f-channel" name="channel" required>
          {props.channels.map((ch) => (
            <option value={ch.slug} selected={a?.channel.slug === ch.slug}>
              {'\u3000'.repeat(ch.depth) + ch.name}
            </option>
          ))}
        </select>
        <label for="f-source">{l.source}</label>
        <input id="f-source" name="source" maxlength={200} value={a?.source ?? ''} />
        <label for="f-author">{l.author}</label>
        <input id="f-author" name="author" maxlength={200} value={a?.author ?? ''} />
        <label for="f-summary">{l.summary}</label>
        <textarea id="f-summary" name="summary" maxlength={2000} rows={2}>
          {a?.summary ?? ''}
        </textarea>
        <label for="f-tags">{l.tags}</label>
        <input
          id="f-tags"
          name="tags"
          aria-describedby="f-tags-hint"
          value={(a?.tags ?? []).map((t) => t.name).join(', ')}
        />
        <p id="f-tags-hint" class="hint">
          {l.tagsHint}
        </p>
      </div>
      <fieldset class="fields document-fields">
        <legend>{l.policyDocument}</legend>
        {(['indexNumber', 'documentNumber', 'issuingBody', 'dateWritten'] as const).map((k) => (
          <>
            <label for={`f-${k}`}>{l[k]}</label>
            <input id={`f-${k}`} name={`document.${k}`} value={a?.document?.[k] ?? ''} />
          </>
        ))}
      </fieldset>
      <div class="fields media-fields">
        <span class="label">{l.coverImage}</span>
        <div class="cover" data-role="cover">
          <input type="hidden" name="coverImageUrl" value={a?.coverImageUrl ?? ''} />
          <img
            alt=""
            data-role="cover-preview"
            src={a?.coverImageUrl ?? undefined}
            hidden={!a?.coverImageUrl}
          />
        </div>
        <span class="label" id="f-attachments-label">
          {l.attachments}
        </span>
        <div
          class="attachments"
          data-role="attachments"
          data-value={JSON.stringify(a?.attachments ?? [])}
        >
          <ul aria-labelledby="f-attachments-label" data-role="attachment-list"></ul>
        </div>
      </div>
      <div class="body-field">
        <span id="f-body-label" class="label">
          {l.body}
        </span>
        <div role="toolbar" aria-label={l.toolbar} class="format-bar">
          {formats.map(([format, label]) => (
            <button type="button" data-format={format}>
              {l[label]}
            </button>
          ))}
        </div>
        <div
          class="body-editor article-body"
          contenteditable={true}
          role="textbox"
          aria-multiline="true"
          aria-labelledby="f-body-label"
          data-role="body"
        >
          {raw(a?.body ?? '<p><br></p>')}
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="primary" data-action="save">
          {l.saveDraft}
        </button>
        {a ? (
          <>
            <EditorButton l={l} action="publish" />
            <p class="schedule">
              {/* admin.js names the site's time zone here and shows a scheduled time. */}
              <label for="f-schedule">{l.scheduleAt}</label>
              <input type="datetime-local" id="f-schedule" />
            </p>
            {(['schedule', 'unpublish', 'archive', 'preview'] as const).map((action) => (
              <EditorButton l={l} action={action} />
            ))}
          </>
        ) : null}
      </div>
      {a ? (
        <section class="revisions" data-role="revisions">
          <h2>{l.revisions}</h2>
          <ol data-role="revision-list"></ol>
          <div class="revision-diff" hidden data-role="revision-diff"></div>
        </section>
      ) : null}
    </form>
  );
}
