import { describe, expect, it } from 'vitest';
import { htmlToText, sanitizeArticleHtml } from '../../src/lib/sanitize';

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
