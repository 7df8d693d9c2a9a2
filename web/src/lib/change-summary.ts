import type { Condition, Rule, SegmentDefinition, Target } from '../api/types.ts';
import type { ConfigDraft } from './config-draft.ts';
import { OPERATORS } from './config-draft.ts';
import { serveLabel } from './flag-status.ts';

/** One line of a confirmation's "what changes": `Default rule: 5% on → 25% on`. */
export interface Change {
  label: string;
  before: string;
  after: string;
}

const NONE = '—';
const MAX_VALUES = 5;

function list(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_VALUES).map(String).join(', ');
  return values.length > MAX_VALUES ? `${shown} and ${values.length - MAX_VALUES} more` : shown;
}

function condition(c: Condition): string {
  const op = OPERATORS.find((o) => o.op === c.op);
  return op?.arity === 'none' ? `${c.attribute} ${op.label}` : `${c.attribute} ${op?.label ?? c.op} ${list(c.values)}`;
}

function rule(r: Rule | undefined, offVariant: string): string {
  if (!r) return NONE;
  const when = r.conditions.length ? r.conditions.map(condition).join(' and ') : 'everyone';
  return `${r.name ? `${r.name}: ` : ''}${when} → ${serveLabel(r.serve, offVariant)}`;
}

function target(t: Target | undefined): string {
  return t ? `${t.attribute ?? 'targetingKey'} ${list(t.values)} → ${t.variant}` : NONE;
}

/** Lines for each position of two lists that differ; removed and added items show as "—". */
function byPosition<T>(label: string, before: T[], after: T[], show: (x: T | undefined) => string): Change[] {
  const out: Change[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const b = show(before[i]);
    const a = show(after[i]);
    if (b !== a) out.push({ label: `${label} ${i + 1}`, before: b, after: a });
  }
  return out;
}

/** What a configuration change does, in the words the editor uses; empty when nothing changes. */
export function configChanges(before: ConfigDraft, after: ConfigDraft): Change[] {
  const out: Change[] = [];
  const push = (label: string, b: string, a: string) => b !== a && out.push({ label, before: b, after: a });
  push('State', before.enabled ? 'On' : 'Off', after.enabled ? 'On' : 'Off');
  push('Off variant', before.offVariant, after.offVariant);
  const prereq = (p: ConfigDraft['prerequisites'][number] | undefined) => (p ? `${p.flag} is ${p.variants.join(' or ')}` : NONE);
  out.push(...byPosition('Prerequisite', before.prerequisites, after.prerequisites, prereq));
  out.push(...byPosition('Targets', before.targets, after.targets, target));
  out.push(...byPosition('Rule', before.rules, after.rules, (r) => rule(r, before.offVariant)));
  push('Default rule', serveLabel(before.defaultServe, before.offVariant), serveLabel(after.defaultServe, after.offVariant));
  push('Bucket by', before.bucketBy || 'targetingKey', after.bucketBy || 'targetingKey');
  return out;
}

export const VARIANT_ADDED = '(new)';
export const VARIANT_REMOVED = '(removed)';

/** Variants added, removed or given a new value. */
export function variantChanges(before: Record<string, unknown>, after: Record<string, unknown>): Change[] {
  const show = (v: unknown, missing: string) => (v === undefined ? missing : JSON.stringify(v));
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return names
    .map((n) => ({ label: `Variant ${n}`, before: show(before[n], VARIANT_ADDED), after: show(after[n], VARIANT_REMOVED) }))
    .filter((c) => c.before !== c.after);
}

/** A list of member values: its size, and what was added or removed. */
function members(label: string, before: string[] = [], after: string[] = []): Change[] {
  const added = after.filter((v) => !before.includes(v));
  const removed = before.filter((v) => !after.includes(v));
  if (added.length === 0 && removed.length === 0) return [];
  const what = [added.length && `added ${list(added)}`, removed.length && `removed ${list(removed)}`].filter(Boolean).join('; ');
  return [{ label, before: `${before.length} values`, after: `${after.length} values (${what})` }];
}

/** What a segment edit changes: membership lists by value, rule groups by position. */
export function segmentChanges(
  before: { name: string; description: string; definition: SegmentDefinition },
  after: { name: string; description: string; definition: SegmentDefinition },
): Change[] {
  const out: Change[] = [];
  const push = (label: string, b: string, a: string) => b !== a && out.push({ label, before: b || NONE, after: a || NONE });
  push('Name', before.name, after.name);
  push('Description', before.description, after.description);
  push('Attribute', before.definition.attribute ?? 'targetingKey', after.definition.attribute ?? 'targetingKey');
  out.push(...members('Included', before.definition.included, after.definition.included));
  out.push(...members('Excluded', before.definition.excluded, after.definition.excluded));
  const group = (g: Condition[] | undefined) => (g ? g.map(condition).join(' and ') : NONE);
  out.push(...byPosition('Rule group', before.definition.rules ?? [], after.definition.rules ?? [], group));
  return out;
}
