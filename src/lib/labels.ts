/** The languages a site, a feed, an embed and the view badge can speak. */
export const langs = ['zh-CN', 'en'] as const;
export type Lang = (typeof langs)[number];

export const homeLabel: Record<Lang, string> = { 'zh-CN': '首页', en: 'Home' };

/**
 * Every word a reader or a feed reader sees outside the articles themselves, in one place,
 * so a site switches language with SITE_LANG alone.
 */
export interface Labels {
  /** BCP 47 tag for lang attributes. */
  langTag: string;
  /** OpenGraph locale, e.g. zh_CN. */
  ogLocale: string;
  /** Google News publication language (zh-cn, en). */
  newsLanguage: string;
  home: string;
  skipToContent: string;
  mainNav: string;
  search: string;
  searchLabel: string;
  searchPlaceholder: string;
  breadcrumb: string;
  youAreHere: string;
  publishedAt: string;
  source: string;
  author: string;
  views: string;
  /** Banner on a draft shown through a signed preview link. */
  previewBanner: string;
  metaSeparator: string;
  /** Follows a label: full-width in Chinese, a colon and space in English. */
  colon: string;
  fontSize: string;
  fontLarge: string;
  fontMedium: string;
  fontSmall: string;
  fontLargeName: string;
  fontMediumName: string;
  fontSmallName: string;
  print: string;
  articleTools: string;
  attachments: string;
  /** After an attachment's name: its format (when the name does not show it) and size. */
  attachmentMeta: (parts: string[]) => string;
  documentInfo: string;
  indexNumber: string;
  documentNumber: string;
  dateWritten: string;
  issuingBody: string;
  tags: string;
  neighbours: string;
  prev: string;
  next: string;
  none: string;
  latest: string;
  popular: string;
  more: (channel: string) => string;
  moreShort: string;
  noArticles: string;
  subChannels: string;
  pagination: string;
  prevPage: string;
  nextPage: string;
  pageN: (n: number) => string;
  pageSummary: (total: number, page: number, pages: number) => string;
  pageTitle: (title: string, page: number) => string;
  feeds: string;
  rss: string;
  atom: string;
  jsonFeed: string;
  feedTitle: (site: string, channel?: string) => string;
  feedDescription: (site: string, channel?: string) => string;
  notFoundTitle: string;
  notFoundText: string;
  goneTitle: string;
  goneText: string;
  badRequestTitle: string;
  badRequestText: string;
  invalidParameter: (name: string) => string;
  serverErrorTitle: string;
  serverErrorText: string;
  backHome: string;
  copyright: (site: string, year: number) => string;
  footerNote: string;
}

const zh: Labels = {
  langTag: 'zh-CN',
  ogLocale: 'zh_CN',
  newsLanguage: 'zh-cn',
  home: homeLabel['zh-CN'],
  skipToContent: '跳到主要内容',
  mainNav: '栏目导航',
  search: '搜索',
  searchLabel: '站内搜索',
  searchPlaceholder: '请输入关键词',
  breadcrumb: '当前位置',
  youAreHere: '您当前的位置：',
  publishedAt: '发布时间',
  source: '信息来源',
  author: '作者',
  views: '浏览次数',
  previewBanner: '预览：本文尚未发布，此页面不会被收录或计数。',
  metaSeparator: '·',
  colon: '：',
  fontSize: '字体',
  fontLarge: '大',
  fontMedium: '中',
  fontSmall: '小',
  fontLargeName: '大号字体',
  fontMediumName: '中号字体',
  fontSmallName: '小号字体',
  print: '打印',
  articleTools: '文章工具',
  attachments: '附件',
  attachmentMeta: (parts) => `（${parts.join('，')}）`,
  documentInfo: '文件信息',
  indexNumber: '索引号',
  documentNumber: '文号',
  dateWritten: '成文日期',
  issuingBody: '发布机构',
  tags: '标签',
  neighbours: '上一篇和下一篇',
  prev: '上一篇',
  next: '下一篇',
  none: '没有了',
  latest: '最新发布',
  popular: '热门文章',
  more: (channel) => `更多${channel}`,
  moreShort: '更多',
  noArticles: '暂无文章。',
  subChannels: '子栏目',
  pagination: '分页',
  prevPage: '上一页',
  nextPage: '下一页',
  pageN: (n) => `第 ${n} 页`,
  pageSummary: (total, page, pages) => `共 ${total} 条，第 ${page}/${pages} 页`,
  pageTitle: (title, page) => (page > 1 ? `${title}（第 ${page} 页）` : title),
  feeds: '订阅',
  rss: 'RSS 订阅',
  atom: 'Atom 订阅',
  jsonFeed: 'JSON Feed 订阅',
  feedTitle: (site, channel) => (channel ? `${channel} - ${site}` : site),
  feedDescription: (site, channel) =>
    channel ? `${site}「${channel}」栏目的最新文章` : `${site}的最新文章`,
  notFoundTitle: '页面不存在',
  notFoundText: '您访问的页面不存在或已被删除，请检查网址是否正确。',
  goneTitle: '文章已撤回',
  goneText: '您访问的文章已被撤回，不再公开。',
  badRequestTitle: '请求有误',
  badRequestText: '网址中的参数无效。',
  invalidParameter: (name) => `网址中的参数“${name}”无效，页码应为从 1 开始的整数。`,
  serverErrorTitle: '服务暂时不可用',
  serverErrorText: '页面暂时无法显示，请稍后再试。',
  backHome: '返回首页',
  copyright: (site, year) => `© ${year} ${site} 版权所有`,
  footerNote: '本站内容如需转载，请注明出处。',
};

const en: Labels = {
  langTag: 'en',
  ogLocale: 'en_US',
  newsLanguage: 'en',
  home: homeLabel.en,
  skipToContent: 'Skip to main content',
  mainNav: 'Sections',
  search: 'Search',
  searchLabel: 'Search this site',
  searchPlaceholder: 'Search',
  breadcrumb: 'Breadcrumb',
  youAreHere: 'You are here:',
  publishedAt: 'Published',
  source: 'Source',
  author: 'Author',
  views: 'Views',
  previewBanner: 'Preview: this article is not published; this page is not indexed or counted.',
  metaSeparator: '·',
  colon: ': ',
  fontSize: 'Text size',
  fontLarge: 'L',
  fontMedium: 'M',
  fontSmall: 'S',
  fontLargeName: 'Large text',
  fontMediumName: 'Medium text',
  fontSmallName: 'Small text',
  print: 'Print',
  articleTools: 'Article tools',
  attachments: 'Attachments',
  attachmentMeta: (parts) => ` (${parts.join(', ')})`,
  documentInfo: 'Document details',
  indexNumber: 'Index number',
  documentNumber: 'Document number',
  dateWritten: 'Date written',
  issuingBody: 'Issued by',
  tags: 'Tags',
  neighbours: 'Previous and next article',
  prev: 'Previous',
  next: 'Next',
  none: 'None',
  latest: 'Latest',
  popular: 'Most read',
  more: (channel) => `More in ${channel}`,
  moreShort: 'More',
  noArticles: 'No articles yet.',
  subChannels: 'Subsections',
  pagination: 'Pages',
  prevPage: 'Previous page',
  nextPage: 'Next page',
  pageN: (n) => `Page ${n}`,
  pageSummary: (total, page, pages) => `${total} articles, page ${page} of ${pages}`,
  pageTitle: (title, page) => (page > 1 ? `${title} (page ${page})` : title),
  feeds: 'Subscribe',
  rss: 'RSS feed',
  atom: 'Atom feed',
  jsonFeed: 'JSON Feed',
  feedTitle: (site, channel) => (channel ? `${channel} - ${site}` : site),
  feedDescription: (site, channel) =>
    channel ? `Latest articles in ${channel} from ${site}` : `Latest articles from ${site}`,
  notFoundTitle: 'Page not found',
  notFoundText: 'The page you asked for does not exist or was removed. Please check the address.',
  goneTitle: 'Article withdrawn',
  goneText: 'This article has been withdrawn and is no longer public.',
  badRequestTitle: 'Bad request',
  badRequestText: 'A parameter in the address is not valid.',
  invalidParameter: (name) =>
    `The parameter "${name}" in the address is not valid; pages are whole numbers from 1.`,
  serverErrorTitle: 'Temporarily unavailable',
  serverErrorText: 'This page cannot be shown right now. Please try again later.',
  backHome: 'Back to the home page',
  copyright: (site, year) => `© ${year} ${site}. All rights reserved.`,
  footerNote: 'Please credit the source when republishing.',
};

export const labels: Record<Lang, Labels> = { 'zh-CN': zh, en };

export function labelsFor(lang: Lang): Labels {
  return labels[lang];
}

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
  unavailable: string;
  badAddress: string;
  home: string;
}

/** The words embeds share with the pages, so both say them alike. */
function shared(lang: Lang) {
  const page = labels[lang];
  return {
    source: page.source,
    published: page.publishedAt,
    views: page.views,
    colon: page.colon,
    home: page.home,
  };
}

export const embedLabels: Record<Lang, EmbedLabels> = {
  'zh-CN': {
    ...shared('zh-CN'),
    viewsShort: (n) => `浏览 ${n}`,
    readOn: (site) => `在${site}阅读全文`,
    more: '更多',
    empty: '暂无文章',
    articleMissing: '文章不存在或尚未发布。',
    articleGone: '该文章已撤下。',
    channelMissing: '栏目不存在。',
    unavailable: '内容暂时无法显示，请稍后再试。',
    badAddress: '嵌入地址有误。',
  },
  en: {
    ...shared('en'),
    viewsShort: (n) => `${n} views`,
    readOn: (site) => `Read on ${site}`,
    more: 'More',
    empty: 'No articles yet.',
    articleMissing: 'This article does not exist or is not published.',
    articleGone: 'This article was withdrawn.',
    channelMissing: 'This channel does not exist.',
    unavailable: 'This content cannot be shown right now. Please try again later.',
    badAddress: 'This embed address is not valid.',
  },
};
