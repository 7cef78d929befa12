import type { AdminListSort } from '../authoring/queries';
import type { ArticleStatus, TokenRole } from '../db/schema';
import type { ProblemCode } from '../lib/errors';
import type { Lang } from '../lib/labels';

/** Every word of the web admin, in the site's language (SITE_LANG) or the one the person picked. */
export interface AdminLabels {
  langTag: string;
  admin: string;
  signIn: string;
  signInTitle: string;
  username: string;
  password: string;
  totp: string;
  totpHint: string;
  signOut: string;
  signedInAs: string;
  invalidCredentials: string;
  rateLimited: string;
  totpRequired: string;
  totpInvalid: string;
  sessionEnded: string;
  changePassword: string;
  mustChangePassword: string;
  currentPassword: string;
  newPassword: string;
  repeatPassword: string;
  passwordsDiffer: string;
  save: string;
  articles: string;
  title: string;
  channel: string;
  author: string;
  status: string;
  updatedAt: string;
  views: string;
  allStatuses: string;
  allChannels: string;
  filter: string;
  nextPage: string;
  noArticles: string;
  statuses: Record<ArticleStatus, string>;
  nav: string;
  otherLang: string;
  otherLangName: string;
  skipToContent: string;
  newArticle: string;
  editArticle: string;
  source: string;
  summary: string;
  tags: string;
  tagsHint: string;
  body: string;
  saveDraft: string;
  publish: string;
  schedule: string;
  scheduleAt: string;
  unpublish: string;
  archive: string;
  preview: string;
  saved: string;
  conflict: string;
  showDifference: string;
  theirs: string;
  mine: string;
  toolbar: string;
  bold: string;
  heading: string;
  bulletList: string;
  numberedList: string;
  quote: string;
  policyDocument: string;
  indexNumber: string;
  documentNumber: string;
  issuingBody: string;
  dateWritten: string;
  coverImage: string;
  attachments: string;
  revisions: string;
  searchTitle: string;
  sort: string;
  sorts: Record<AdminListSort, string>;
  people: PeopleLabels;
}

/** The people and access pages (src/admin/people-pages.tsx). */
export interface PeopleLabels {
  users: string;
  tokens: string;
  sessions: string;
  account: string;
  forbidden: string;
  forbiddenDetail: string;
  roles: Record<TokenRole, string>;
  name: string;
  displayName: string;
  role: string;
  state: string;
  active: string;
  disabled: string;
  lastSignIn: string;
  never: string;
  twoFactor: string;
  on: string;
  off: string;
  actions: string;
  createUser: string;
  initialPassword: string;
  initialPasswordHint: string;
  create: string;
  changeRole: string;
  disable: string;
  enable: string;
  resetPassword: string;
  resetPasswordHint: string;
  reset: string;
  removeTotp: string;
  mustChangeBadge: string;
  noUsers: string;
  createToken: string;
  tokenName: string;
  expiry: string;
  expiryNever: string;
  expiryDays: (days: number) => string;
  createdAt: string;
  lastUsed: string;
  expiresAt: string;
  revoke: string;
  revoked: string;
  expired: string;
  noTokens: string;
  newTokenOnce: string;
  copy: string;
  copied: string;
  person: string;
  signedInAt: string;
  lastSeen: string;
  current: string;
  endSession: string;
  noSessions: string;
  allSessionsHint: string;
  ownSessionsHint: string;
  totpTitle: string;
  totpIsOn: string;
  totpIsOff: string;
  totpStart: string;
  totpScan: string;
  totpSecret: string;
  totpConfirm: string;
  totpDisable: string;
  totpDisableHint: string;
  done: Record<PeopleDone, string>;
  problem: string;
  problems: Partial<Record<ProblemCode, string>>;
}

export const peopleDone = [
  'created',
  'role',
  'disabled',
  'enabled',
  'reset',
  'totp-removed',
  'token-revoked',
  'session-revoked',
  'password',
  'totp-on',
  'totp-off',
] as const;
export type PeopleDone = (typeof peopleDone)[number];

const zh: AdminLabels = {
  langTag: 'zh-CN',
  admin: '编辑后台',
  signIn: '登录',
  signInTitle: '登录编辑后台',
  username: '用户名',
  password: '密码',
  totp: '动态验证码',
  totpHint: '身份验证器中的 6 位数字',
  signOut: '退出登录',
  signedInAs: '当前用户',
  invalidCredentials: '用户名或密码不正确。',
  rateLimited: '尝试次数过多，请一分钟后再试。',
  totpRequired: '请输入身份验证器中的动态验证码。',
  totpInvalid: '动态验证码不正确或已使用。',
  sessionEnded: '登录已失效，请重新登录。',
  changePassword: '修改密码',
  mustChangePassword: '首次登录请先设置自己的密码。',
  currentPassword: '当前密码',
  newPassword: '新密码（至少 10 个字符）',
  repeatPassword: '再次输入新密码',
  passwordsDiffer: '两次输入的新密码不一致。',
  save: '保存',
  articles: '文章管理',
  title: '标题',
  channel: '栏目',
  author: '作者',
  status: '状态',
  updatedAt: '更新时间',
  views: '浏览次数',
  allStatuses: '全部状态',
  allChannels: '全部栏目',
  filter: '筛选',
  nextPage: '下一页',
  noArticles: '没有符合条件的文章。',
  statuses: {
    draft: '草稿',
    scheduled: '定时',
    published: '已发布',
    archived: '已撤回',
    deleted: '已删除',
  },
  nav: '后台导航',
  otherLang: 'en',
  otherLangName: 'English',
  skipToContent: '跳到主要内容',
  newArticle: '新建文章',
  editArticle: '编辑文章',
  source: '信息来源',
  summary: '摘要',
  tags: '标签',
  tagsHint: '多个标签用逗号分隔',
  body: '正文',
  saveDraft: '保存',
  publish: '立即发布',
  schedule: '定时发布',
  scheduleAt: '发布时间',
  unpublish: '撤回为草稿',
  archive: '撤回',
  preview: '预览',
  saved: '已保存',
  conflict: '其他人已保存了这篇文章的新版本，您的修改尚未保存。',
  showDifference: '查看差异',
  theirs: '对方保存的版本',
  mine: '我的修改',
  toolbar: '正文格式',
  bold: '加粗',
  heading: '小标题',
  bulletList: '项目列表',
  numberedList: '编号列表',
  quote: '引用',
  policyDocument: '政策文件信息',
  indexNumber: '索引号',
  documentNumber: '文号',
  issuingBody: '发布机构',
  dateWritten: '成文日期',
  coverImage: '封面图片',
  attachments: '附件',
  revisions: '历史版本',
  searchTitle: '标题包含',
  sort: '排序',
  sorts: { updated: '最近更新', published: '最新发布', views: '浏览最多' },
  people: {
    users: '用户管理',
    tokens: '接口令牌',
    sessions: '登录会话',
    account: '我的账户',
    forbidden: '无权访问',
    forbiddenDetail: '此页面仅限管理员使用。如需访问，请联系管理员。',
    roles: { admin: '管理员', editor: '编辑', 'reader-preview': '预览' },
    name: '名称',
    displayName: '姓名',
    role: '角色',
    state: '状态',
    active: '正常',
    disabled: '已停用',
    lastSignIn: '最近登录',
    never: '从未',
    twoFactor: '双因素验证',
    on: '已开启',
    off: '未开启',
    actions: '操作',
    createUser: '新建用户',
    initialPassword: '初始密码（至少 10 个字符）',
    initialPasswordHint: '用户首次登录时必须修改此密码。',
    create: '创建',
    changeRole: '修改角色',
    disable: '停用',
    enable: '启用',
    resetPassword: '重置密码',
    resetPasswordHint: '重置后该用户的所有会话将结束，下次登录须修改密码。',
    reset: '重置',
    removeTotp: '移除双因素验证',
    mustChangeBadge: '待改密码',
    noUsers: '还没有用户。',
    createToken: '新建令牌',
    tokenName: '令牌名称',
    expiry: '有效期',
    expiryNever: '长期有效',
    expiryDays: (days) => `${days} 天`,
    createdAt: '创建时间',
    lastUsed: '最近使用',
    expiresAt: '到期时间',
    revoke: '吊销',
    revoked: '已吊销',
    expired: '已过期',
    noTokens: '还没有接口令牌。',
    newTokenOnce: '新令牌已创建。请立即复制并妥善保存，此令牌只显示这一次：',
    copy: '复制',
    copied: '已复制',
    person: '用户',
    signedInAt: '登录时间',
    lastSeen: '最近活动',
    current: '当前会话',
    endSession: '结束会话',
    noSessions: '没有有效的会话。',
    allSessionsHint: '所有用户的有效会话。结束会话后，对方须重新登录。',
    ownSessionsHint: '您在各设备上的有效会话。发现陌生会话请立即结束并修改密码。',
    totpTitle: '双因素验证（动态验证码）',
    totpIsOn: '双因素验证已开启：登录时须输入身份验证器中的动态验证码。',
    totpIsOff: '双因素验证未开启。开启后，登录时除密码外还须输入身份验证器中的动态验证码。',
    totpStart: '开始设置',
    totpScan:
      '用身份验证器（如 Google Authenticator、Microsoft Authenticator）扫描二维码，或手动输入下面的密钥，然后输入其显示的 6 位验证码：',
    totpSecret: '密钥',
    totpConfirm: '确认开启',
    totpDisable: '关闭双因素验证',
    totpDisableHint: '关闭须输入当前密码和一个动态验证码。',
    done: {
      created: '用户已创建。',
      role: '角色已修改，该用户须重新登录。',
      disabled: '用户已停用，其会话已全部结束。',
      enabled: '用户已启用。',
      reset: '密码已重置，该用户下次登录须修改密码。',
      'totp-removed': '已移除该用户的双因素验证。',
      'token-revoked': '令牌已吊销。',
      'session-revoked': '会话已结束。',
      password: '密码已修改，您在其他设备上的会话已结束。',
      'totp-on': '双因素验证已开启。',
      'totp-off': '双因素验证已关闭。',
    },
    problem: '操作未完成',
    problems: {
      unprocessable: '输入有误',
      invalid_body: '输入有误',
      conflict: '与当前状态冲突',
      not_found: '对象不存在或已失效',
      csrf_failed: '页面已过期，请刷新页面后重试',
      forbidden: '无权执行此操作',
      rate_limited: '操作过于频繁，请稍后再试',
    },
  },
};

const en: AdminLabels = {
  langTag: 'en',
  admin: 'Admin',
  signIn: 'Sign in',
  signInTitle: 'Sign in to the admin',
  username: 'Username',
  password: 'Password',
  totp: 'Authenticator code',
  totpHint: 'The 6 digits your authenticator app shows',
  signOut: 'Sign out',
  signedInAs: 'Signed in as',
  invalidCredentials: 'The username or password is not right.',
  rateLimited: 'Too many attempts; try again in a minute.',
  totpRequired: 'Enter the code from your authenticator app.',
  totpInvalid: 'The code is wrong or was already used.',
  sessionEnded: 'Your session has ended; sign in again.',
  changePassword: 'Change password',
  mustChangePassword: 'Choose your own password before you start.',
  currentPassword: 'Current password',
  newPassword: 'New password (at least 10 characters)',
  repeatPassword: 'New password again',
  passwordsDiffer: 'The two new passwords differ.',
  save: 'Save',
  articles: 'Articles',
  title: 'Title',
  channel: 'Channel',
  author: 'Author',
  status: 'Status',
  updatedAt: 'Updated',
  views: 'Views',
  allStatuses: 'All statuses',
  allChannels: 'All channels',
  filter: 'Filter',
  nextPage: 'Next page',
  noArticles: 'No articles match.',
  statuses: {
    draft: 'Draft',
    scheduled: 'Scheduled',
    published: 'Published',
    archived: 'Withdrawn',
    deleted: 'Deleted',
  },
  nav: 'Admin navigation',
  otherLang: 'zh-CN',
  otherLangName: '中文',
  skipToContent: 'Skip to main content',
  newArticle: 'New article',
  editArticle: 'Edit article',
  source: 'Source',
  summary: 'Summary',
  tags: 'Tags',
  tagsHint: 'Separate tags with commas',
  body: 'Body',
  saveDraft: 'Save',
  publish: 'Publish now',
  schedule: 'Schedule',
  scheduleAt: 'Publish at',
  unpublish: 'Back to draft',
  archive: 'Withdraw',
  preview: 'Preview',
  saved: 'Saved',
  conflict: 'Someone else saved a newer version of this article; your changes are not saved yet.',
  showDifference: 'Show the difference',
  theirs: 'Their version',
  mine: 'My changes',
  toolbar: 'Body formatting',
  bold: 'Bold',
  heading: 'Subheading',
  bulletList: 'Bulleted list',
  numberedList: 'Numbered list',
  quote: 'Quote',
  policyDocument: 'Policy document',
  indexNumber: 'Index number',
  documentNumber: 'Document number',
  issuingBody: 'Issued by',
  dateWritten: 'Date written',
  coverImage: 'Cover image',
  attachments: 'Attachments',
  revisions: 'Revisions',
  searchTitle: 'Title contains',
  sort: 'Sort',
  sorts: { updated: 'Recently updated', published: 'Newest published', views: 'Most viewed' },
  people: {
    users: 'People',
    tokens: 'API tokens',
    sessions: 'Sessions',
    account: 'My account',
    forbidden: 'Not allowed',
    forbiddenDetail: 'This page is for admins only. Ask an admin if you need it.',
    roles: { admin: 'Admin', editor: 'Editor', 'reader-preview': 'Preview' },
    name: 'Name',
    displayName: 'Name',
    role: 'Role',
    state: 'State',
    active: 'Active',
    disabled: 'Disabled',
    lastSignIn: 'Last sign-in',
    never: 'Never',
    twoFactor: 'Two-factor',
    on: 'On',
    off: 'Off',
    actions: 'Actions',
    createUser: 'New person',
    initialPassword: 'Initial password (at least 10 characters)',
    initialPasswordHint: 'They must change it when they first sign in.',
    create: 'Create',
    changeRole: 'Change role',
    disable: 'Disable',
    enable: 'Enable',
    resetPassword: 'Reset password',
    resetPasswordHint: 'Ends all their sessions; they must change it at the next sign-in.',
    reset: 'Reset',
    removeTotp: 'Remove two-factor',
    mustChangeBadge: 'Must change password',
    noUsers: 'No people yet.',
    createToken: 'New token',
    tokenName: 'Token name',
    expiry: 'Valid for',
    expiryNever: 'No expiry',
    expiryDays: (days) => `${days} days`,
    createdAt: 'Created',
    lastUsed: 'Last used',
    expiresAt: 'Expires',
    revoke: 'Revoke',
    revoked: 'Revoked',
    expired: 'Expired',
    noTokens: 'No API tokens yet.',
    newTokenOnce: 'The new token. Copy it now and keep it safe: it is shown only this once:',
    copy: 'Copy',
    copied: 'Copied',
    person: 'Person',
    signedInAt: 'Signed in',
    lastSeen: 'Last active',
    current: 'This session',
    endSession: 'End session',
    noSessions: 'No live sessions.',
    allSessionsHint: "Everyone's live sessions. Ending one signs that browser out.",
    ownSessionsHint:
      'Your live sessions on each device. End any you do not recognise and change your password.',
    totpTitle: 'Two-factor sign-in (authenticator codes)',
    totpIsOn: 'Two-factor sign-in is on: signing in also needs a code from your authenticator.',
    totpIsOff:
      'Two-factor sign-in is off. Turned on, signing in needs a code from an authenticator app besides the password.',
    totpStart: 'Set up',
    totpScan:
      'Scan the QR code with an authenticator app (such as Google or Microsoft Authenticator), or type the key below, then enter the 6-digit code it shows:',
    totpSecret: 'Key',
    totpConfirm: 'Turn on',
    totpDisable: 'Turn two-factor off',
    totpDisableHint: 'Turning it off needs your password and a current code.',
    done: {
      created: 'The account was created.',
      role: 'The role was changed; they must sign in again.',
      disabled: 'The account was disabled and its sessions ended.',
      enabled: 'The account was enabled.',
      reset: 'The password was reset; they must change it at the next sign-in.',
      'totp-removed': 'Their two-factor sign-in was removed.',
      'token-revoked': 'The token was revoked.',
      'session-revoked': 'The session was ended.',
      password: 'Your password was changed; your sessions on other devices ended.',
      'totp-on': 'Two-factor sign-in is on.',
      'totp-off': 'Two-factor sign-in is off.',
    },
    problem: 'Not done',
    problems: {
      csrf_failed: 'This page has expired; reload it and try again',
    },
  },
};

export function adminLabels(lang: Lang): AdminLabels {
  return lang === 'en' ? en : zh;
}
