/**
 * Deterministic demo content for a municipal news portal, written for Gazette (not copied
 * from any site). The same seed always yields the same channels and articles, so `npm run
 * db:seed` is repeatable and the benchmark can generate thousands of rows of the same shape.
 */

export interface DemoChannel {
  slug: string;
  name: string;
  parentSlug: string | null;
  position: number;
  description: string;
}

export interface DemoArticle {
  slug: string;
  channelSlug: string;
  title: string;
  subtitle: string;
  summary: string;
  body: string;
  source: string;
  author: string;
  lang: 'zh-CN' | 'en';
  status: 'draft' | 'scheduled' | 'published' | 'archived';
  publishedAt: number;
  viewBase: number;
  tags: { slug: string; name: string }[];
  attachments: { name: string; url: string; size: number; contentType: string }[];
  document: {
    indexNumber: string;
    documentNumber: string;
    dateWritten: string;
    issuingBody: string;
  } | null;
}

export const demoChannels: DemoChannel[] = [
  {
    slug: 'news',
    name: '要闻动态',
    parentSlug: null,
    position: 1,
    description: '本市重要新闻与工作动态',
  },
  {
    slug: 'local-news',
    name: '本地要闻',
    parentSlug: 'news',
    position: 1,
    description: '市内重大活动与会议报道',
  },
  {
    slug: 'district-news',
    name: '区县动态',
    parentSlug: 'news',
    position: 2,
    description: '各区县工作进展',
  },
  {
    slug: 'notices',
    name: '通知公告',
    parentSlug: 'news',
    position: 3,
    description: '面向市民的通知与公告',
  },
  {
    slug: 'open-government',
    name: '政务公开',
    parentSlug: null,
    position: 2,
    description: '政策文件与解读',
  },
  {
    slug: 'policies',
    name: '政策文件',
    parentSlug: 'open-government',
    position: 1,
    description: '市政府及部门发布的规范性文件',
  },
  {
    slug: 'interpretation',
    name: '政策解读',
    parentSlug: 'open-government',
    position: 2,
    description: '对重要政策的图文解读',
  },
  {
    slug: 'services',
    name: '便民服务',
    parentSlug: null,
    position: 3,
    description: '出行、医疗、教育等生活服务信息',
  },
  {
    slug: 'transport',
    name: '交通出行',
    parentSlug: 'services',
    position: 1,
    description: '公交线路、道路施工与出行提示',
  },
  {
    slug: 'health',
    name: '医疗卫生',
    parentSlug: 'services',
    position: 2,
    description: '医院服务与健康提示',
  },
  {
    slug: 'city-news',
    name: 'City News',
    parentSlug: null,
    position: 4,
    description: 'News about the city in English',
  },
];

/** mulberry32: tiny and good enough to make varied but repeatable text. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const zh = {
  places: [
    '滨河新区',
    '北湖街道',
    '东港片区',
    '西山镇',
    '城南产业园',
    '老城区',
    '湿地公园',
    '高新区',
  ],
  topics: [
    ['老旧小区改造', '改造工程'],
    ['公交线网优化', '线网调整'],
    ['社区养老服务', '养老服务站'],
    ['河道生态治理', '治理工程'],
    ['中小学课后服务', '课后服务'],
    ['营商环境提升', '一网通办'],
    ['冬季供暖保障', '供暖设施'],
    ['农产品产销对接', '产销对接会'],
    ['全民健身设施建设', '健身步道'],
    ['夜间经济街区', '特色街区'],
  ],
  verbs: ['全面启动', '稳步推进', '取得阶段性成效', '顺利完成', '持续深化'],
  sources: ['本市日报', '市融媒体中心', '市政府办公室', '市交通运输局', '市卫生健康委员会'],
  authors: ['记者 王晓明', '记者 李静', '通讯员 张华', '记者 陈宇', '通讯员 刘洋'],
  sentences: [
    '近日，{place}{topic}工作{verb}，相关部门深入一线了解群众需求，逐项研究解决办法。',
    '据介绍，今年以来，{place}围绕{topic}制定了详细的工作清单，明确时间节点和责任分工。',
    '在{short}现场，施工人员正在有序作业，周边居民纷纷表示期待项目早日投入使用。',
    '“我们把群众最关心的问题放在首位，”负责人表示，下一步将继续加强统筹协调，确保各项任务按期完成。',
    '截至目前，{place}已累计投入资金{money}万元，惠及居民{people}余户。',
    '为方便市民了解进展，相关部门将定期通过政务网站和新媒体平台发布最新信息。',
    '市民如有意见建议，可通过12345政务服务便民热线反映，工作人员将及时回应。',
    '此次{short}还充分听取了人大代表、政协委员和社区居民的意见，进一步完善了实施方案。',
  ],
};

const en = {
  topics: [
    'riverside park reopens after flood defence upgrade',
    'night bus routes extended to the new rail station',
    'city libraries add weekend hours for students',
    'winter heating checks reach every older housing block',
    'farmers market moves to a larger downtown site',
    'free health screenings offered in three districts',
  ],
  sentences: [
    'City officials said the work was completed ahead of schedule after residents asked for faster progress.',
    'The project is part of a wider plan to make everyday services easier to reach for people in every district.',
    'Residents can send feedback through the 12345 service hotline, which answers around the clock.',
    'A spokesperson said updates will be published on the city portal as each phase is finished.',
    'Local businesses welcomed the change and expect more visitors in the coming months.',
  ],
};

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => vars[key] ?? '');
}

const dayMs = 86_400_000;

export interface DemoOptions {
  count: number;
  /** Publish times count back from here, one article every few hours. */
  newest: number;
  seed?: number;
  /** Adds a draft, an archived and a scheduled article, to show what the public never sees. */
  includeHidden?: boolean;
}

export function generateDemoArticles(options: DemoOptions): DemoArticle[] {
  const rand = prng(options.seed ?? 20261128);
  const leafChannels = demoChannels.filter(
    (c) => !demoChannels.some((d) => d.parentSlug === c.slug),
  );
  const articles: DemoArticle[] = [];
  for (let i = 0; i < options.count; i++) {
    const channel = leafChannels[i % leafChannels.length]!;
    const publishedAt = options.newest - i * Math.round(dayMs / 5) - Math.floor(rand() * 3_600_000);
    const isEnglish = channel.slug === 'city-news';
    const n = i + 1;
    if (isEnglish) {
      const topic = pick(rand, en.topics);
      const title = topic.charAt(0).toUpperCase() + topic.slice(1);
      const paragraphs = Array.from({ length: 3 + Math.floor(rand() * 3) }, () =>
        pick(rand, en.sentences),
      );
      articles.push({
        slug: `${topic.replace(/[^a-z0-9]+/g, '-')}-${n}`,
        channelSlug: channel.slug,
        title,
        subtitle: '',
        summary: paragraphs[0]!,
        body: paragraphs.map((p) => `<p>${p}</p>`).join(''),
        source: 'City Media Centre',
        author: 'Staff reporter',
        lang: 'en',
        status: 'published',
        publishedAt,
        viewBase: Math.floor(rand() * 400),
        tags: [{ slug: 'english', name: 'English' }],
        attachments: [],
        document: null,
      });
      continue;
    }
    const place = pick(rand, zh.places);
    const [topic, short] = pick(rand, zh.topics);
    const verb = pick(rand, zh.verbs);
    const vars = {
      place,
      topic: topic!,
      short: short!,
      verb,
      money: String(100 + Math.floor(rand() * 9000)),
      people: String(200 + Math.floor(rand() * 5000)),
    };
    const paragraphs = Array.from({ length: 4 + Math.floor(rand() * 5) }, (_, k) =>
      fill(zh.sentences[(k + i) % zh.sentences.length]!, vars),
    );
    const isPolicy = channel.slug === 'policies';
    const year = new Date(publishedAt).getUTCFullYear();
    articles.push({
      slug: `${new Date(publishedAt).toISOString().slice(0, 10).replaceAll('-', '')}-${n}`,
      channelSlug: channel.slug,
      title: isPolicy ? `关于进一步做好${topic}工作的通知` : `${place}${topic}${verb}`,
      subtitle: rand() < 0.3 ? `${short}惠及更多居民` : '',
      summary: paragraphs[0]!.slice(0, 80),
      body: paragraphs.map((p) => `<p>${p}</p>`).join(''),
      source: pick(rand, zh.sources),
      author: pick(rand, zh.authors),
      lang: 'zh-CN',
      status: 'published',
      publishedAt,
      viewBase: Math.floor(rand() * 2000),
      tags: [
        { slug: `topic-${zh.topics.findIndex((t) => t[0] === topic)}`, name: topic! },
        ...(rand() < 0.4 ? [{ slug: 'livelihood', name: '民生' }] : []),
      ],
      attachments: isPolicy
        ? [
            {
              name: `${topic}实施细则.pdf`,
              url: `https://files.example.org/docs/${n}.pdf`,
              size: 120_000 + n * 37,
              contentType: 'application/pdf',
            },
          ]
        : [],
      document: isPolicy
        ? {
            indexNumber: `11210000-${year}-${String(n).padStart(5, '0')}`,
            documentNumber: `市政办发〔${year}〕${n}号`,
            dateWritten: new Date(publishedAt - 2 * dayMs).toISOString().slice(0, 10),
            issuingBody: '市人民政府办公室',
          }
        : null,
    });
  }
  if (options.includeHidden) {
    const base = {
      channelSlug: 'local-news',
      subtitle: '',
      source: '市融媒体中心',
      author: '编辑部',
      lang: 'zh-CN' as const,
      viewBase: 0,
      tags: [],
      attachments: [],
      document: null,
    };
    articles.push(
      {
        ...base,
        slug: 'draft-upcoming-report',
        title: '（草稿）年度工作报告解读',
        summary: '草稿，尚未发布。',
        body: '<p>草稿内容。</p>',
        status: 'draft',
        publishedAt: options.newest,
      },
      {
        ...base,
        slug: 'withdrawn-road-notice',
        title: '（已撤回）道路临时封闭通知',
        summary: '该通知已撤回。',
        body: '<p>该通知已撤回。</p>',
        status: 'archived',
        publishedAt: options.newest - 30 * dayMs,
      },
      {
        ...base,
        slug: 'scheduled-festival-guide',
        title: '新春文化活动指南（定时发布）',
        summary: '定时发布的文章。',
        body: '<p>定时发布。</p>',
        status: 'scheduled',
        publishedAt: options.newest + 365 * dayMs,
      },
    );
  }
  return articles;
}
