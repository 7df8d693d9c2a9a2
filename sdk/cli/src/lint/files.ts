import { globSync, lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ALWAYS_EXCLUDED, type Config } from './config.ts';

/**
 * The files a config selects, relative to `dir` with `/` separators, sorted (stable output).
 * Only files inside `dir`: a symbolic link to a file elsewhere is skipped, since `cleanup
 * --write` writes through links, and a repository's link must not make CI rewrite files outside it.
 */
export function selectFiles(dir: string, config: Config): string[] {
  const exclude = [...ALWAYS_EXCLUDED, ...config.exclude];
  const excluded = (rel: string) => exclude.some((g) => path.matchesGlob(rel, g));
  const root = realpathSync(dir);
  const found = new Set<string>();
  for (const pattern of config.include) {
    for (const rel of globSync(pattern, { cwd: dir, exclude: (p: string) => excluded(toPosix(p)) })) {
      const posix = toPosix(rel);
      if (!excluded(posix) && inside(dir, rel) && inside(root, realOrOutside(path.resolve(dir, rel)))) found.add(posix);
    }
  }
  return [...found].sort();
}

/**
 * Whether a file the config names (to be written, so it may not exist yet) stays inside `dir`,
 * links followed: a repository's config or link must not make CI write outside it.
 */
export function staysInside(dir: string, file: string): boolean {
  const abs = path.resolve(dir, file);
  if (!inside(dir, abs)) return false;
  // What does not exist yet is judged by its nearest existing ancestor, links followed; a link
  // to nothing exists (lstat) and counts as outside, since writing through it creates its target.
  let existing = abs;
  while (!lexists(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const real = path.join(realOrOutside(existing), path.relative(existing, abs));
  return inside(realpathSync(dir), real);
}

function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether `file` (absolute, or relative to `dir`) lies inside `dir`. */
function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, path.resolve(dir, file));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** The file's real path; an unreadable link counts as outside (the filesystem root). */
function realOrOutside(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.parse(file).root;
  }
}

export const toPosix = (p: string) => p.split(path.sep).join('/');
