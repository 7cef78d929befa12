import { describe, expect, it } from 'vitest';
import { withSoakBlock } from '../../scripts/lib/soak-report';

const block = (text: string) => `<!-- soak:start -->\n\n${text}\n\n<!-- soak:end -->`;

describe('withSoakBlock()', () => {
  it('keeps the soak block of the file a benchmark run replaces', () => {
    const previous = `# Old\n\n${block('## Soak\n\nfigures')}\n`;
    const out = withSoakBlock('# New benchmark\n', previous);
    expect(out).toBe(`# New benchmark\n\n${block('## Soak\n\nfigures')}\n`);
  });

  it('replaces the block in place when the soak writes new figures', () => {
    const previous = `# Bench\n\n${block('old figures')}\n\n## After\n`;
    expect(withSoakBlock(previous, previous, 'new figures')).toBe(
      `# Bench\n\n${block('new figures')}\n\n## After\n`,
    );
  });

  it('leaves a report alone when there never was a soak', () => {
    expect(withSoakBlock('# Bench\n', null)).toBe('# Bench\n');
    expect(withSoakBlock('# Bench\n', '# Old, no markers\n')).toBe('# Bench\n');
  });
});
