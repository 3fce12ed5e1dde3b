// Functions stay short enough to read at once: none over 80 lines in the simulator, the packed format,
// the model quantizer and the CLI (the TypeScript parser finds every function, method and arrow).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/data.js';

const FOLDERS = ['sim', 'quant/packed', 'quant/model', 'scripts/cli'];
const MAX_LINES = 80;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every function-like node longer than `max` lines: "file:line name (N lines)". */
export function longFunctions(path: string, max: number): string[] {
  const src = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && (n as ts.FunctionLikeDeclarationBase).body) {
      const a = src.getLineAndCharacterOfPosition(n.getStart(src)).line;
      const b = src.getLineAndCharacterOfPosition(n.getEnd()).line;
      const name = (n as ts.FunctionDeclaration).name?.getText(src) ?? '(anonymous)';
      if (b - a + 1 > max) out.push(`${relative(REPO, path)}:${a + 1} ${name} (${b - a + 1} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

describe('function length', () => {
  it(`no function over ${MAX_LINES} lines in ${FOLDERS.join(', ')}`, () => {
    const long = FOLDERS.flatMap((f) => files(join(REPO, f))).flatMap((p) => longFunctions(p, MAX_LINES));
    expect(long).toEqual([]);
  });
  it('the check finds a long function', () => {
    const p = join(REPO, 'test/style/function-length.test.ts');
    expect(longFunctions(p, 5).length).toBeGreaterThan(0);
  });
});
