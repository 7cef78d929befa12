import type { SiteLang } from '../lib/site';

/** Words on the iframe pages and the site owners' page. */
export interface EmbedLabels {
  source: string;
  published: string;
  views: string;
  colon: string;
  viewsShort: (formatted: string) => string;
  readOn: (site: string) => string;
  more: string;
  empty: string;
  articleMissing: string;
  articleGone: string;
  channelMissing: string;
  badAddress: string;
  home: string;
}

export const embedLabels: Record<SiteLang, EmbedLabels> = {
  'zh-CN': {
    source: '信息来源',
    published: '发布时间',
    views: '浏览次数',
    colon: '：',
    viewsShort: (n) => `浏览 ${n}`,
    readOn: (site) => `在${site}阅读全文`,
    more: '更多',
    empty: '暂无文章',
    articleMissing: '文章不存在或尚未发布。',
    articleGone: '该文章已撤下。',
    channelMissing: '栏目不存在。',
    badAddress: '嵌入地址有误。',
    home: '首页',
  },
  en: {
    source: 'Source',
    published: 'Published',
    views: 'Views',
    colon: ': ',
    viewsShort: (n) => `${n} views`,
    readOn: (site) => `Read on ${site}`,
    more: 'More',
    empty: 'No articles yet.',
    articleMissing: 'This article does not exist or is not published.',
    articleGone: 'This article was withdrawn.',
    channelMissing: 'This channel does not exist.',
    badAddress: 'This embed address is not valid.',
    home: 'Home',
  },
};
