import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig } from '../lib/site';
import { xml, xmlDeclaration, xmlText } from '../feeds/xml';
import { labelsFor } from '../lib/labels';
import { listTopChannels } from '../pages/queries';
import { readerPage, renderPage } from '../pages/routes';
import { searchLabelsFor } from './labels';
import { highlightTerms, hitSnippet } from './present';
import { searchArticles, totalCap, type SearchSort } from './queries';
import { parseQuery, type QueryProblem } from './query';
import { SearchPage } from './search-page';

const perPage = 20;
const maxPage = totalCap / perPage;

function parsePage(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^[1-9][0-9]{0,3}$/.test(value) || Number(value) > maxPage) {
    throw AppError.invalidParameter('page', 'query', `must be a whole number from 1 to ${maxPage}`);
  }
  return Number(value);
}

function parseSort(value: string | undefined): SearchSort {
  if (value === undefined || value === 'relevance' || value === 'latest')
    return value ?? 'relevance';
  throw AppError.invalidParameter('sort', 'query', 'must be relevance or latest');
}

/**
 * /search (the reader's results page) and /opensearch.xml, which lets browsers offer it. A bad
 * page or sort becomes the reader's error page through app.ts's onError, like the other pages.
 */
export const searchPageRoutes = new Hono<AppEnv>()
  .get('/search', readerPage, async (c) => {
    const site = siteConfig(c.env);
    const labels = labelsFor(site.lang);
    const searchLabels = searchLabelsFor(site.lang);
    const db = readDb(c);
    const sort = parseSort(c.req.query('sort'));
    const page = parsePage(c.req.query('page'));
    const query = c.req.query('q') ?? '';
    const parsed = query.trim() ? parseQuery(query) : null;
    const [nav, found] = await Promise.all([
      listTopChannels(db),
      parsed?.ok
        ? searchArticles(db, {
            query: parsed.query,
            now: nowDate(),
            sort,
            offset: (page - 1) * perPage,
            limit: perPage,
          })
        : null,
    ]);
    const problem: QueryProblem | undefined = parsed && !parsed.ok ? parsed.problem : undefined;
    const terms = parsed?.ok ? highlightTerms(parsed.query) : [];
    // A query too long to show is shown cut; the problem message says why.
    const shown = problem === 'too_long' ? [...query].slice(0, 100).join('') : query;
    // The reader's mistake is not worth caching.
    if (problem) c.header('Cache-Control', 'no-store');
    return renderPage(
      c,
      <SearchPage
        site={site}
        labels={labels}
        searchLabels={searchLabels}
        nav={nav}
        query={shown}
        sort={sort}
        problem={problem}
        results={
          found
            ? {
                hits: found.hits.map((hit) => ({ hit, snippet: hitSnippet(hit, terms).html })),
                total: found.total,
                totalExact: found.totalExact,
                page,
                perPage,
                hasMore: found.hasMore && page < maxPage,
                terms,
              }
            : undefined
        }
      />,
      problem ? 400 : 200,
    );
  })
  .get('/opensearch.xml', readerPage, (c) => {
    const site = siteConfig(c.env);
    const s = searchLabelsFor(site.lang);
    const origin = requestOrigin(c);
    const body = xml`${xmlDeclaration}<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/" xmlns:moz="http://www.mozilla.org/2006/browser/search/">
  <ShortName>${xmlText([...s.shortName(site.name)].slice(0, 16).join(''))}</ShortName>
  <Description>${xmlText(s.description(site.name))}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>${labelsFor(site.lang).langTag}</Language>
  <Image width="32" height="32" type="image/svg+xml">${origin}/favicon.svg</Image>
  <Url type="text/html" method="get" template="${origin}/search?q={searchTerms}"/>
  <Url type="application/opensearchdescription+xml" rel="self" template="${origin}/opensearch.xml"/>
  <moz:SearchForm>${origin}/search</moz:SearchForm>
</OpenSearchDescription>
`;
    return c.body(String(body), 200, {
      'Content-Type': 'application/opensearchdescription+xml; charset=utf-8',
    });
  });
