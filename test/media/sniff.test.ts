import { describe, expect, it } from 'vitest';
import { sniff } from '../../src/media/sniff';
import { fillerBytes, withHeader } from './helpers';

const encoder = new TextEncoder();

/** A ZIP of stored (uncompressed) entries, enough for the sniffer's local-header walk. */
function zip(entries: Record<string, string>): Uint8Array {
  const chunks: number[] = [];
  for (const [name, content] of Object.entries(entries)) {
    const n = encoder.encode(name);
    const d = encoder.encode(content);
    const header = new DataView(new ArrayBuffer(30));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, 20, true);
    header.setUint32(18, d.length, true);
    header.setUint32(22, d.length, true);
    header.setUint16(26, n.length, true);
    chunks.push(...new Uint8Array(header.buffer), ...n, ...d);
  }
  return new Uint8Array(chunks);
}

const ole = withHeader([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], fillerBytes(600));
const docx = zip({
  '[Content_Types].xml': '<Types/>',
  '_rels/.rels': '<Relationships/>',
  'word/document.xml': '<w:document/>',
});
const xlsx = zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' });
const ofd = zip({ 'OFD.xml': '<ofd:OFD/>', 'Doc_0/Document.xml': '<ofd:Document/>' });
const plainZip = zip({ '材料/说明.txt': '说明' });

function ftyp(brand: string): Uint8Array {
  return withHeader([0, 0, 0, 0x18, ...encoder.encode(`ftyp${brand}`)], fillerBytes(200));
}

const cases: [string, Uint8Array, string, string][] = [
  [
    'a PDF',
    withHeader(encoder.encode('%PDF-1.4\n'), fillerBytes(300)),
    '通知.pdf',
    'application/pdf',
  ],
  ['an OFD', ofd, '公文.ofd', 'application/ofd'],
  ['a .doc (OLE)', ole, '报名表.doc', 'application/msword'],
  ['a .xls (OLE)', ole, '统计表.XLS', 'application/vnd.ms-excel'],
  ['a .ppt (OLE)', ole, '汇报.ppt', 'application/vnd.ms-powerpoint'],
  ['a .wps (OLE)', ole, '通知.wps', 'application/kswps'],
  ['an .et (OLE)', ole, '表格.et', 'application/kset'],
  ['a .dps (OLE)', ole, '演示.dps', 'application/ksdps'],
  [
    'a .docx',
    docx,
    '申请书.docx',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ],
  [
    'an .xlsx',
    xlsx,
    '2024年预算表.xlsx',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ],
  [
    'a .pptx',
    zip({ '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p/>' }),
    '汇报.pptx',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
  ['a .zip', plainZip, '材料.zip', 'application/zip'],
  ['a .docx kept as .zip', docx, '打包.zip', 'application/zip'],
  [
    'a RAR',
    withHeader(encoder.encode('Rar!\x1a\x07\x01\x00'), fillerBytes(100)),
    'a.rar',
    'application/vnd.rar',
  ],
  [
    'a 7z',
    withHeader([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], fillerBytes(100)),
    'a.7z',
    'application/x-7z-compressed',
  ],
  [
    'UTF-8 text',
    encoder.encode('盘锦市人民政府\r\n通知全文\n'),
    '说明.txt',
    'text/plain; charset=utf-8',
  ],
  [
    'a UTF-8 CSV',
    encoder.encode('\ufeff区县,人口\n兴隆台区,50\n'),
    '人口.csv',
    'text/csv; charset=utf-8',
  ],
  [
    'a GB 18030 CSV',
    new Uint8Array([0xc7, 0xf8, 0xcf, 0xd8, 0x2c, 0xc8, 0xcb, 0xbf, 0xda, 0x0a]),
    '人口.csv',
    'text/csv; charset=gb18030',
  ],
  ['a JPEG', withHeader([0xff, 0xd8, 0xff, 0xe0], fillerBytes(100)), '照片.JPG', 'image/jpeg'],
  [
    'a JPEG as .jpeg',
    withHeader([0xff, 0xd8, 0xff, 0xe1], fillerBytes(100)),
    'p.jpeg',
    'image/jpeg',
  ],
  [
    'a PNG',
    withHeader([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], fillerBytes(100)),
    'a.png',
    'image/png',
  ],
  ['a GIF', withHeader(encoder.encode('GIF89a'), fillerBytes(100)), 'a.gif', 'image/gif'],
  [
    'a WebP',
    withHeader(encoder.encode('RIFF\x10\x00\x00\x00WEBPVP8 '), fillerBytes(100)),
    'a.webp',
    'image/webp',
  ],
  ['an AVIF', ftyp('avif'), 'a.avif', 'image/avif'],
  ['an MP4', ftyp('isom'), '发布会.mp4', 'video/mp4'],
];

describe('sniff', () => {
  it.each(cases)('recognises %s', (_what, bytes, name, type) => {
    expect(sniff(bytes, name, true)).toMatchObject({ ok: true, type });
  });

  it('reports the format as the lower-case extension', () => {
    expect(sniff(xlsx, '2024年预算表.XLSX', true)).toMatchObject({ format: 'xlsx' });
  });

  const refused: [string, Uint8Array, string, string][] = [
    [
      'an .exe named .pdf',
      withHeader(encoder.encode('MZ\x90\x00'), fillerBytes(300)),
      '通知.pdf',
      'media_type_unsupported',
    ],
    [
      'a PDF named .docx',
      withHeader(encoder.encode('%PDF-1.4\n'), fillerBytes(300)),
      'a.docx',
      'media_type_mismatch',
    ],
    [
      'HTML named .png',
      encoder.encode('<!DOCTYPE html><html><script>alert(1)</script>'),
      'a.png',
      'media_type_unsupported',
    ],
    [
      'HTML named .txt',
      encoder.encode('  <html><body>hi</body></html>'),
      'a.txt',
      'media_type_unsupported',
    ],
    [
      'SVG named .svg',
      encoder.encode('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
      'a.svg',
      'media_type_unsupported',
    ],
    [
      'SVG with an XML prolog named .png',
      encoder.encode('<?xml version="1.0"?>\n<svg onload="x"/>'),
      'logo.png',
      'media_type_unsupported',
    ],
    ['SVG named .jpg', encoder.encode('<svg/>'), 'a.jpg', 'media_type_unsupported'],
    [
      'a PNG named .jpg',
      withHeader([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], fillerBytes(100)),
      'a.jpg',
      'media_type_mismatch',
    ],
    ['an .xlsx named .docx', xlsx, 'a.docx', 'media_type_mismatch'],
    ['a plain ZIP named .docx', plainZip, 'a.docx', 'media_type_mismatch'],
    ['a plain ZIP named .ofd', plainZip, 'a.ofd', 'media_type_mismatch'],
    ['an OLE file named .pdf', ole, 'a.pdf', 'media_type_mismatch'],
    ['text without an extension', encoder.encode('hello'), 'README', 'media_type_mismatch'],
    ['text named .csv.exe', encoder.encode('a,b'), 'a.csv.exe', 'media_type_mismatch'],
    ['a QuickTime movie', ftyp('qt  '), 'a.mp4', 'media_type_unsupported'],
    ['random binary', fillerBytes(1000, 7), 'a.bin', 'media_type_unsupported'],
    ['an MP4 named .avif', ftyp('mp42'), 'a.avif', 'media_type_mismatch'],
  ];

  it.each(refused)('refuses %s', (_what, bytes, name, code) => {
    const result = sniff(bytes, name, true);
    expect(result).toMatchObject({ ok: false, code });
    expect((result as { detail: string }).detail).toMatch(/\w/);
  });

  it('accepts UTF-8 text whose sniff window ends inside a character', () => {
    const text = encoder.encode('预算'); // 6 bytes; cut after the 4th
    expect(sniff(text.subarray(0, 4), 'a.txt', false)).toMatchObject({ ok: true });
  });
});
