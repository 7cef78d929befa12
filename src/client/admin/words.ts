import { problemOf } from './api';

/**
 * The words only admin.js shows (revision panel, attachment rows), in the page's language.
 * They live in the asset rather than in src/admin/labels.ts to keep them out of the worker
 * bundle, which has a size budget.
 */
const zh = {
  chooseImage: '选择图片',
  removeCover: '移除封面',
  dropFiles: '将文件拖到此处，或',
  chooseFiles: '选择文件',
  remove: '移除',
  uploadFailed: '上传失败',
  compare: '与当前版本对比',
  restore: '恢复此版本',
  then: '历史版本',
  now: '当前版本',
  same: '与当前版本相同。',
  fields: {
    title: '标题',
    channel: '栏目',
    source: '信息来源',
    author: '作者',
    summary: '摘要',
    subtitle: '副标题',
    slug: '网址别名',
    lang: '语言',
    tags: '标签',
    body: '正文',
    document: '政策文件信息',
    coverImageUrl: '封面图片',
    attachments: '附件',
    status: '状态',
    publishedAt: '发布时间',
    currentPassword: '当前密码',
    newPassword: '新密码',
  } as Record<string, string>,
  // What a refused request means, by the problem's stable code: the API's own detail is in
  // English, and an editor should read why in the admin's language.
  problems: {
    invalid: '请检查：',
    forbidden: '您的账号没有这项操作的权限。',
    csrf_failed: '页面已过期，请刷新后再试。',
    not_found: '内容已不存在，可能已被删除。',
    conflict: '无法完成：与当前状态冲突。',
    gone: '内容已被撤回。',
    too_large: '文件超过了上传大小限制。',
    media_type: '不接受这种类型的文件。',
    media_empty: '文件是空的。',
    media_bad_name: '文件名不可用，请改名后再试。',
    media_in_use: '文件仍被文章使用。',
    rate_limited: '操作太频繁，请稍后再试。',
    unavailable: '服务器暂时无法完成操作，请稍后再试；您的内容仍在页面上。',
    password_change_required: '请先修改初始密码。',
    currentPassword: '当前密码不正确。',
    newPassword: '新密码不符合要求：至少 10 个字符，不能过于简单或包含用户名，且须与当前密码不同。',
    network: '网络连接中断，请检查网络后再试；您的内容仍在页面上。',
    other: '操作未完成',
  } as Record<string, string>,
  // Revision reasons and statuses.
  words: {
    create: '新建',
    save: '保存',
    publish: '发布',
    schedule: '定时发布',
    unpublish: '撤回为草稿',
    archive: '撤回',
    delete: '删除',
    restore: '恢复版本',
    import: '导入',
    draft: '草稿',
    scheduled: '定时',
    published: '已发布',
    archived: '已撤回',
    deleted: '已删除',
  } as Record<string, string>,
};

const en: typeof zh = {
  chooseImage: 'Choose an image',
  removeCover: 'Remove the cover',
  dropFiles: 'Drop files here, or',
  chooseFiles: 'choose files',
  remove: 'Remove',
  uploadFailed: 'Upload failed',
  compare: 'Compare with the current version',
  restore: 'Restore this version',
  then: 'That revision',
  now: 'Current version',
  same: 'Same as the current version.',
  fields: {
    title: 'Title',
    channel: 'Channel',
    source: 'Source',
    author: 'Author',
    summary: 'Summary',
    subtitle: 'Subtitle',
    slug: 'Slug',
    lang: 'Language',
    tags: 'Tags',
    body: 'Body',
    document: 'Policy document',
    coverImageUrl: 'Cover image',
    attachments: 'Attachments',
    status: 'Status',
    publishedAt: 'Publish time',
    currentPassword: 'Current password',
    newPassword: 'New password',
  },
  problems: {
    invalid: 'Please check: ',
    forbidden: 'Your account may not do this.',
    csrf_failed: 'This page has expired; reload it and try again.',
    not_found: 'It no longer exists; it may have been deleted.',
    conflict: 'Not done: it conflicts with the current state.',
    gone: 'It was withdrawn.',
    too_large: 'The file is larger than the upload limit.',
    media_type: 'This kind of file is not accepted.',
    media_empty: 'The file is empty.',
    media_bad_name: 'The file name cannot be used; rename it and try again.',
    media_in_use: 'The file is still used by an article.',
    rate_limited: 'Too many attempts; try again shortly.',
    unavailable:
      'The server cannot do this right now; try again shortly. Your work is still on the page.',
    password_change_required: 'Change your initial password first.',
    currentPassword: 'The current password is not right.',
    newPassword:
      'The new password does not qualify: at least 10 characters, not too simple, not containing the username, and different from the current one.',
    network:
      'The connection dropped; check the network and try again. Your work is still on the page.',
    other: 'Not done',
  },
  words: {
    create: 'created',
    save: 'saved',
    publish: 'published',
    schedule: 'scheduled',
    unpublish: 'back to draft',
    archive: 'withdrawn',
    delete: 'deleted',
    restore: 'restored a revision',
    import: 'imported',
    draft: 'Draft',
    scheduled: 'Scheduled',
    published: 'Published',
    archived: 'Withdrawn',
    deleted: 'Deleted',
  },
};

export function words(): typeof zh {
  return document.documentElement.lang.startsWith('en') ? en : zh;
}

const codeGroups: Record<string, string> = {
  invalid_body: 'invalid',
  invalid_parameter: 'invalid',
  unprocessable: 'invalid',
  payload_too_large: 'too_large',
  media_too_large: 'too_large',
  media_type_unsupported: 'media_type',
  media_type_mismatch: 'media_type',
  media_file_missing: 'media_empty',
  media_truncated: 'unavailable',
  media_length_mismatch: 'unavailable',
  storage_unavailable: 'unavailable',
  admin_unavailable: 'unavailable',
  counting_unavailable: 'unavailable',
  internal_error: 'unavailable',
  route_not_found: 'not_found',
};

/** A failed request, said in the page's language (field names included), never the API's English. */
export function problemMessage(err: unknown): string {
  const t = words();
  const p = problemOf(err);
  if (!p) return t.problems.network!;
  const group = codeGroups[p.code ?? ''] ?? p.code ?? '';
  if (group === 'invalid') {
    const names = [...new Set((p.invalidParams ?? []).map((i) => i.name.split('.')[0]!))];
    for (const special of ['currentPassword', 'newPassword']) {
      if (names.includes(special)) return t.problems[special]!;
    }
    const fields = names.map((n) => t.fields[n] ?? n);
    return fields.length
      ? `${t.problems.invalid}${fields.join(t === en ? ', ' : '、')}`
      : t.problems.other!;
  }
  return t.problems[group] ?? `${t.problems.other} (${p.status})`;
}
