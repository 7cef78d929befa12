import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeArticleHtml } from '../../src/lib/sanitize';
import { pageCsp } from '../../src/pages/safety';
import { sanitizePolicy, videoHostsFrom } from '../../src/lib/video-hosts';
import { bodyProblems, pageProblems } from './html-safety';
import { xssCorpus } from './xss-corpus';

const video = { videoHosts: ['player.bilibili.com', 'v.qq.com'] };

describe('sanitizeArticleHtml keeps what a news article needs', () => {
  it('keeps every tag of the allow-list with its allowed attributes', () => {
    const html =
      '<h2>小标题</h2><h3>三级</h3><h4>四级</h4><p>正文<strong>加粗</strong><em>强调</em><u>下划线</u><s>删除</s>H<sub>2</sub>O x<sup>2</sup><br />换行</p>' +
      '<figure><img src="https://img.example.cn/a.jpg" alt="会场" width="640" height="360" loading="lazy" /><figcaption>会议现场</figcaption></figure>' +
      '<table><thead><tr><th colspan="2">指标</th></tr></thead><tbody><tr><td rowspan="2">产值</td><td>12%</td></tr></tbody></table>' +
      '<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引用</blockquote><hr /><pre><code>code</code></pre>' +
      '<p><a href="/articles/1/x" title="站内">站内</a> <a href="#note">脚注</a> <a href="mailto:news@example.cn">来信</a></p>';
    expect(sanitizeArticleHtml(html)).toBe(html);
  });

  it('marks absolute links noopener noreferrer and leaves relative ones alone', () => {
    expect(
      sanitizeArticleHtml(
        '<a href="https://www.gov.cn/" rel="opener" target="_top">国务院</a><a href="/x" rel="nofollow">站内</a>',
      ),
    ).toBe(
      '<a href="https://www.gov.cn/" rel="noopener noreferrer">国务院</a><a href="/x">站内</a>',
    );
  });

  it('maps pasted b, i, h1, h5, h6 and strike onto allowed tags', () => {
    expect(
      sanitizeArticleHtml(
        '<h1>大</h1><h5>小</h5><h6>更小</h6><b>粗</b><i>斜</i><strike>删</strike>',
      ),
    ).toBe('<h2>大</h2><h4>小</h4><h4>更小</h4><strong>粗</strong><em>斜</em><s>删</s>');
  });

  it('drops tags outside the list but keeps their text', () => {
    expect(sanitizeArticleHtml('<div><span style="color:red">红</span><font>字</font></div>')).toBe(
      '红字',
    );
  });

  it('drops style, class, id and data attributes and non-numeric sizes', () => {
    expect(
      sanitizeArticleHtml(
        '<p style="color:red" class="x" id="y" data-z="1">a</p><img src="https://e.cn/a.png" width="100px" height="50" />',
      ),
    ).toBe('<p>a</p><img src="https://e.cn/a.png" height="50" loading="lazy" />');
  });

  it('drops images without a web address (data:, javascript:, none)', () => {
    expect(
      sanitizeArticleHtml(
        '<img src="data:image/png;base64,AAAA" /><img src="javascript:alert(1)" /><img alt="x" />',
      ),
    ).toBe('');
  });
});

describe('sanitizeArticleHtml and video iframes', () => {
  it('drops every iframe when no video host is configured', () => {
    expect(sanitizeArticleHtml('<iframe src="https://player.bilibili.com/p"></iframe>')).toBe('');
  });

  it('keeps an https iframe from a configured host, sandboxed, and drops the rest', () => {
    const out = sanitizeArticleHtml(
      '<iframe src="https://player.bilibili.com/player.html?bvid=BV1" width="640" height="360" allowfullscreen="true" onload="x()" srcdoc="<b>"></iframe>' +
        '<iframe src="http://player.bilibili.com/p"></iframe><iframe src="https://evil.example/p"></iframe>' +
        '<iframe src="https://player.bilibili.com.evil.example/p"></iframe><iframe src="//player.bilibili.com/p"></iframe>',
      video,
    );
    expect(out).toBe(
      '<iframe src="https://player.bilibili.com/player.html?bvid=BV1" width="640" height="360" allowfullscreen sandbox="allow-scripts allow-same-origin allow-presentation allow-popups" referrerpolicy="strict-origin-when-cross-origin" loading="lazy"></iframe>',
    );
  });

  it('reads the hosts from VIDEO_EMBED_HOSTS, ignoring anything that is not a host name', () => {
    expect(
      videoHostsFrom('player.bilibili.com, V.QQ.com  https://x.example/ *.evil.example  a b..c'),
    ).toEqual(['player.bilibili.com', 'v.qq.com']);
    expect(videoHostsFrom('')).toEqual([]);
    expect(sanitizePolicy({ VIDEO_EMBED_HOSTS: 'player.youku.com' })).toEqual({
      videoHosts: ['player.youku.com'],
    });
  });

  it('lets the page CSP frame exactly the configured hosts', () => {
    expect(pageCsp({ VIDEO_EMBED_HOSTS: 'player.bilibili.com v.qq.com' })).toContain(
      'frame-src https://player.bilibili.com https://v.qq.com',
    );
    expect(pageCsp({ VIDEO_EMBED_HOSTS: '' })).not.toContain('frame-src');
  });
});

describe('the harmlessness checks the corpus tests rely on', () => {
  it('refuse what a broken sanitizer would let through', async () => {
    expect(bodyProblems('<img src=x onerror=alert(1)>')).toEqual(['attribute onerror on <img>']);
    expect(bodyProblems('<a href=" java&#x09;script:alert(1)">x</a>')).toHaveLength(1);
    expect(bodyProblems('<svg><script>alert(1)</script></svg>')).toEqual([
      'tag <svg>',
      'tag <script>',
    ]);
    expect(bodyProblems('<a href="https://x.example/">x</a>')).toEqual([
      'external link rel undefined',
    ]);
    expect(
      bodyProblems('<iframe src="https://evil.example/" sandbox=""></iframe>', ['v.qq.com']),
    ).toEqual(['iframe src https://evil.example/']);
    expect(await pageProblems('<p title="x" onmouseover="alert(1)">t</p>')).toEqual([
      'handler onmouseover on <p>',
    ]);
    expect(await pageProblems('<script>alert(1)</script>')).toHaveLength(1);
    expect(await pageProblems('<iframe src="https://evil.example/"></iframe>')).toHaveLength(1);
    const searchBox =
      '<header><form class="site-search" role="search" action="/search" method="get"><input id="site-search-q" type="search" name="q" maxlength="100" /></form></header>';
    expect(await pageProblems(searchBox)).toEqual([]);
    expect(await pageProblems(searchBox + searchBox)).toEqual(['active element <form>']);
    expect(await pageProblems('<form action="/search" method="get"></form>')).toEqual([
      'active element <form>',
    ]);
    expect(
      await pageProblems(searchBox.replace('action="/search"', 'action="https://evil.example/"')),
    ).toEqual(['active element <form>', 'active element <input>']);
    expect(await pageProblems(searchBox.replace('type="search"', 'type="password"'))).toEqual([
      'active element <input>',
    ]);
  });
});

describe('sanitizeArticleHtml against the XSS corpus', () => {
  it('has at least 100 payloads', () => {
    expect(xssCorpus.length).toBeGreaterThanOrEqual(100);
  });

  it('leaves nothing outside the allow-list for any payload, with and without video hosts', () => {
    for (const { name, payload } of xssCorpus) {
      for (const policy of [undefined, video]) {
        const out = sanitizeArticleHtml(payload, policy);
        expect(bodyProblems(out, policy?.videoHosts), `${name}: ${out}`).toEqual([]);
        // Sanitizing twice changes nothing: the output is a fixed point, not a half-cleaned string.
        expect(sanitizeArticleHtml(out, policy), name).toBe(out);
      }
    }
  });
});

describe('HTML helpers', () => {
  it('sanitizeArticleHtml strips scripts and handlers', () => {
    expect(sanitizeArticleHtml('<p onclick="x()">a<script>b()</script></p>')).toBe('<p>a</p>');
  });

  it('htmlToText gives readable text with entities decoded', () => {
    expect(htmlToText('<p>第一段</p><p>A &amp; B &lt;tag&gt;&nbsp;end</p>')).toBe(
      '第一段 A & B <tag> end',
    );
  });
});
