import { globSync } from 'node:fs';
import path from 'node:path';
import { ALWAYS_EXCLUDED, type Config } from './config.ts';

/** The files a config selects, relative to `dir` with `/` separators, sorted (stable output). */
export function selectFiles(dir: string, config: Config): string[] {
  const exclude = [...ALWAYS_EXCLUDED, ...config.exclude];
  const excluded = (rel: string) => exclude.some((g) => path.matchesGlob(rel, g));
  const found = new Set<string>();
  for (const pattern of config.include) {
    for (const rel of globSync(pattern, { cwd: dir, exclude: (p: string) => excluded(toPosix(p)) })) {
      const posix = toPosix(rel);
      if (!excluded(posix)) found.add(posix);
    }
  }
  return [...found].sort();
}

export const toPosix = (p: string) => p.split(path.sep).join('/');
