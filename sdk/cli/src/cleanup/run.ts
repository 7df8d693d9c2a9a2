/**
 * `edgeflags cleanup` over a set of files: passes of `planFile` until nothing changes (an outer
 * rewrite can hold an inner read of the same flag, which the next pass sees), all in memory, so a
 * refusal anywhere leaves every file untouched.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { compilerHost, OPTIONS } from '../lint/scan.ts';
import { type Final, type PlannedEdit, planFile, type Refusal } from './fold.ts';
import { applyEdits, disjoint } from './text.ts';

export interface Cleanup {
  /** Rewritten text per file (relative path), only files that changed. */
  changed: Map<string, { before: string; after: string }>;
  refusals: (Refusal & { file: string })[];
  reads: number;
}

const MAX_PASSES = 20;

export function cleanup(dir: string, files: readonly string[], key: string, final: Final): Cleanup {
  const overlay = new Map<string, string>();
  const refusals: Cleanup['refusals'] = [];
  let reads = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const host = compilerHost();
    const readFile = host.readFile.bind(host);
    host.readFile = (f) => overlay.get(path.resolve(f)) ?? readFile(f);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, onError, create) => {
      const text = overlay.get(path.resolve(f));
      return text === undefined ? getSourceFile(f, lang, onError, create) : ts.createSourceFile(f, text, lang, true);
    };
    const program = ts.createProgram(
      files.map((f) => path.join(dir, f)),
      OPTIONS,
      host,
    );
    const checker = program.getTypeChecker();
    let changedThisPass = false;
    for (const file of files) {
      const abs = path.join(dir, file);
      const sf = program.getSourceFile(abs);
      if (!sf) continue;
      const plan = planFile(sf, checker, key, final);
      if (pass === 0) reads += plan.reads;
      refusals.push(...plan.refusals.map((r) => ({ ...r, file })));
      if (plan.refusals.length || !plan.edits.length) continue;
      const chosen = new Set<PlannedEdit>(disjoint(plan.edits));
      // A removed alias only with every use rewritten in the same pass.
      for (const e of chosen) if (e.with?.some((w) => !chosen.has(w))) chosen.delete(e);
      if (!chosen.size) continue;
      overlay.set(abs, applyEdits(sf.text, [...chosen]));
      changedThisPass = true;
    }
    if (refusals.length || !changedThisPass) break;
  }
  const changed = new Map<string, { before: string; after: string }>();
  for (const file of files) {
    const after = overlay.get(path.join(dir, file));
    if (after !== undefined) changed.set(file, { before: readFileSync(path.join(dir, file), 'utf8'), after });
  }
  return { changed, refusals, reads };
}
