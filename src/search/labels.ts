import type { SiteLang } from '../lib/site';
import { maxQueryLength, maxTerms, type QueryProblem } from './query';

/** The search page's own words, in the site's language (the header's are in lib/labels.ts). */
export interface SearchLabels {
  title: string;
  resultsFor: (query: string) => string;
  total: (count: number, exact: boolean) => string;
  noResults: string;
  emptyQuery: string;
  hint: string;
  invalidQuery: Record<QueryProblem, string>;
  sortBy: string;
  sortRelevance: string;
  sortLatest: string;
  shortName: (site: string) => string;
  description: (site: string) => string;
}

const zh: SearchLabels = {
  title: '站内搜索',
  resultsFor: (query) => `“${query}”的搜索结果`,
  total: (count, exact) => (exact ? `共找到 ${count} 条结果` : `找到超过 ${count} 条结果`),
  noResults: '没有找到相关内容，请换个关键词试试。',
  emptyQuery: '请输入要搜索的关键词。',
  hint: '多个关键词用空格分开，结果须包含全部关键词；用引号“”搜索完整短语；在词前加减号（-）排除该词。',
  invalidQuery: {
    too_long: `关键词太长，请不要超过 ${maxQueryLength} 个字。`,
    too_many_terms: `关键词太多，请不要超过 ${maxTerms} 个。`,
    only_excluded: '请至少输入一个要查找的关键词（不带减号）。',
    nothing_to_search: '关键词里没有可搜索的文字，请输入汉字、字母或数字。',
  },
  sortBy: '排序',
  sortRelevance: '按相关度',
  sortLatest: '按时间',
  shortName: (site) => site,
  description: (site) => `在${site}搜索新闻和政策文件`,
};

const en: SearchLabels = {
  title: 'Search',
  resultsFor: (query) => `Results for “${query}”`,
  total: (count, exact) =>
    exact ? `${count} result${count === 1 ? '' : 's'}` : `More than ${count} results`,
  noResults: 'Nothing matched. Please try other words.',
  emptyQuery: 'Enter the words to search for.',
  hint: 'Results contain every word; put a phrase in quotes to match it exactly; put - before a word to exclude it.',
  invalidQuery: {
    too_long: `The query is too long; please use at most ${maxQueryLength} characters.`,
    too_many_terms: `Too many words; please use at most ${maxTerms}.`,
    only_excluded: 'Please enter at least one word to look for (without a minus sign).',
    nothing_to_search: 'The query has nothing to search for; please use letters or digits.',
  },
  sortBy: 'Sort',
  sortRelevance: 'Most relevant',
  sortLatest: 'Newest',
  shortName: (site) => site,
  description: (site) => `Search the news and documents of ${site}`,
};

export function searchLabelsFor(lang: SiteLang): SearchLabels {
  return lang === 'en' ? en : zh;
}
