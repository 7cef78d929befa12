import type { Lang, PopularWindow } from './options';

export interface Labels {
  latest: string;
  popular: Record<PopularWindow, string>;
  source: string;
  published: string;
  views: string;
  empty: string;
  more: string;
  viewsCount: (formatted: string, n: number) => string;
}

export const labels: Record<Lang, Labels> = {
  'zh-CN': {
    latest: '最新文章',
    popular: { '1d': '今日热门', '7d': '本周热门', '30d': '本月热门' },
    source: '信息来源',
    published: '发布时间',
    views: '浏览次数',
    empty: '暂无文章',
    more: '阅读全文',
    viewsCount: (formatted) => `浏览 ${formatted}`,
  },
  en: {
    latest: 'Latest news',
    popular: { '1d': 'Popular today', '7d': 'Popular this week', '30d': 'Popular this month' },
    source: 'Source',
    published: 'Published',
    views: 'Views',
    empty: 'No articles yet',
    more: 'Read more',
    viewsCount: (formatted, n) => `${formatted} ${n === 1 ? 'view' : 'views'}`,
  },
};
