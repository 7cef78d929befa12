import { raw } from 'hono/html';
import { articlePath, channelPath } from '../articles/present';
import type { Labels } from '../lib/labels';
import { Breadcrumb, Layout, PageNav, SearchForm } from '../pages/layout';
import type { NavChannel } from '../pages/queries';
import type { SiteConfig } from '../lib/site';
import { toZonedIso, zonedDay } from '../lib/time';
import type { SearchLabels } from './labels';
import type { SearchHit, SearchSort } from './queries';
import { highlight } from './snippet';
import type { QueryProblem } from './query';

export interface SearchResults {
  hits: { hit: SearchHit; snippet: string }[];
  total: number;
  totalExact: boolean;
  page: number;
  perPage: number;
  hasMore: boolean;
  terms: string[];
}

export interface SearchPageProps {
  site: SiteConfig;
  labels: Labels;
  searchLabels: SearchLabels;
  nav: NavChannel[];
  /** The reader's query as typed; '' for the empty search page. */
  query: string;
  sort: SearchSort;
  problem?: QueryProblem;
  results?: SearchResults;
}

export function searchHref(query: string, sort: SearchSort, page = 1): string {
  const params = new URLSearchParams({ q: query });
  if (sort !== 'relevance') params.set('sort', sort);
  if (page > 1) params.set('page', String(page));
  return `/search?${params}`;
}

function Hit(props: {
  site: SiteConfig;
  labels: Labels;
  hit: SearchHit;
  snippet: string;
  terms: string[];
}) {
  const { site, labels: l, hit } = props;
  return (
    <li class="search-hit">
      <h2>
        {/* Pre-escaped by highlight(): only its <mark> tags are markup. */}
        <a href={articlePath(hit)}>{raw(highlight(hit.title, props.terms))}</a>
      </h2>
      <p class="search-snippet">{raw(props.snippet)}</p>
      <p class="search-meta">
        <a href={channelPath(hit.channel.slug)}>{hit.channel.name}</a>
        <span aria-hidden="true"> {l.metaSeparator} </span>
        <time datetime={toZonedIso(hit.publishedAt, site.timeZone)}>
          {zonedDay(hit.publishedAt, site.timeZone)}
        </time>
        {hit.source ? (
          <>
            <span aria-hidden="true"> {l.metaSeparator} </span>
            {l.source}
            {l.colon}
            {hit.source}
          </>
        ) : null}
        {hit.document?.documentNumber ? (
          <>
            <span aria-hidden="true"> {l.metaSeparator} </span>
            {l.documentNumber}
            {l.colon}
            {hit.document.documentNumber}
          </>
        ) : null}
      </p>
    </li>
  );
}

export function SearchPage(props: SearchPageProps) {
  const { site, labels: l, searchLabels: s, results } = props;
  const heading = props.query.trim() ? s.resultsFor(props.query.trim()) : s.title;
  return (
    <Layout
      site={site}
      labels={l}
      title={heading}
      nav={props.nav}
      noindex
      searchQuery={props.query}
    >
      <Breadcrumb labels={l} crumbs={[{ name: l.home, href: '/' }, { name: s.title }]} />
      <div class="panel search-panel">
        <div class="panel-head">
          <h1>{heading}</h1>
        </div>
        <SearchForm class="search-form" id="search-q" labels={l} query={props.query}>
          {props.sort !== 'relevance' ? (
            <input type="hidden" name="sort" value={props.sort} />
          ) : null}
        </SearchForm>
        <p class="search-hint">{s.hint}</p>
        {props.problem ? (
          <p class="search-problem" role="alert">
            {s.invalidQuery[props.problem]}
          </p>
        ) : null}
        {!props.query.trim() && !props.problem ? <p class="empty">{s.emptyQuery}</p> : null}
        {results ? <ResultList {...props} results={results} /> : null}
      </div>
    </Layout>
  );
}

function ResultList(props: SearchPageProps & { results: SearchResults }) {
  const { site, labels: l, searchLabels: s, results } = props;
  if (!results.hits.length && results.page === 1) return <p class="empty">{s.noResults}</p>;
  return (
    <>
      <div class="search-summary">
        <p aria-live="polite">{s.total(results.total, results.totalExact)}</p>
        <p class="search-sort">
          {s.sortBy}
          {l.colon}
          {props.sort === 'relevance' ? (
            <span aria-current="true">{s.sortRelevance}</span>
          ) : (
            <a href={searchHref(props.query, 'relevance')}>{s.sortRelevance}</a>
          )}
          <span aria-hidden="true"> | </span>
          {props.sort === 'latest' ? (
            <span aria-current="true">{s.sortLatest}</span>
          ) : (
            <a href={searchHref(props.query, 'latest')}>{s.sortLatest}</a>
          )}
        </p>
      </div>
      <ol class="search-results" start={(results.page - 1) * results.perPage + 1}>
        {results.hits.map(({ hit, snippet }) => (
          <Hit site={site} labels={l} hit={hit} snippet={snippet} terms={results.terms} />
        ))}
      </ol>
      {results.page > 1 || results.hasMore ? (
        <PageNav
          labels={l}
          prev={results.page > 1 ? searchHref(props.query, props.sort, results.page - 1) : null}
          next={results.hasMore ? searchHref(props.query, props.sort, results.page + 1) : null}
        >
          <li>
            <span class="current" aria-current="page">
              {l.pageN(results.page)}
            </span>
          </li>
        </PageNav>
      ) : null}
    </>
  );
}
