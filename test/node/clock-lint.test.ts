import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/lib/run-worker';

/** The guard of issue 12: time read past src/lib/clock.ts would escape the tests' pinned clock. */
describe('the clock lint rule', () => {
  const eslint = new ESLint({ cwd: projectRoot });

  async function clockErrors(code: string, filePath: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result!.messages
      .filter((m) => m.ruleId === 'no-restricted-syntax')
      .map((m) => m.message);
  }

  it('rejects Date.now() and an argument-less new Date() in src/, naming the clock module', async () => {
    const errors = await clockErrors(
      'export const a = Date.now();\nexport const b = new Date();\n',
      'src/articles/example.ts',
    );
    expect(errors).toHaveLength(2);
    for (const message of errors) expect(message).toMatch(/src\/lib\/clock\.ts/);
  });

  it('rejects them in workerd tests too', async () => {
    expect(
      await clockErrors('export const a = Date.now();\n', 'test/views/example.test.ts'),
    ).toHaveLength(1);
  });

  it('allows dates built from a value, and the clock module itself', async () => {
    expect(await clockErrors('export const a = new Date(0);\n', 'src/lib/example.ts')).toEqual([]);
    expect(await clockErrors('export const a = Date.now();\n', 'src/lib/clock.ts')).toEqual([]);
  });
});
