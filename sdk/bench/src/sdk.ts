import type { User } from './contexts.ts';
import type { VariedFlag, VariedUser } from './varied.ts';

/**
 * One SDK's two flags, bound to that SDK's own context objects. Evaluators are plain closures
 * (no `this`): the harness calls them detached.
 */
export interface SyncEvaluators<C> {
  readonly mode: 'sync';
  /** The pool's users as this SDK's context objects, in pool order, built once. */
  readonly contexts: readonly C[];
  simple(ctx: C): boolean;
  rollout(ctx: C): boolean;
  /** Set up with varied flags: evaluates every one of them for one user (the realistic state). */
  evaluateVaried?(user: VariedUser): unknown;
}

/** For SDKs whose evaluation returns a promise: each call is awaited, as an application must. */
export interface AsyncEvaluators<C> {
  readonly mode: 'async';
  readonly contexts: readonly C[];
  simple(ctx: C): Promise<boolean>;
  rollout(ctx: C): Promise<boolean>;
  evaluateVaried?(user: VariedUser): Promise<unknown>;
}

export type Evaluators<C = unknown> = SyncEvaluators<C> | AsyncEvaluators<C>;

export type FlagName = 'simple' | 'rollout';

export interface Sdk {
  readonly name: string;
  /** The npm package measured (its version is read from this package's devDependencies). */
  readonly pkg: string;
  /**
   * Loads both flags offline and builds the contexts. Must not touch the network. With `varied`,
   * the same configuration also holds those flags, and `evaluateVaried` evaluates them.
   */
  setup(users: readonly User[], varied?: readonly VariedFlag[]): Promise<Evaluators>;
  /** Releases timers, sockets and listeners so the process can exit on its own. */
  close?(): void | Promise<void>;
}

/** Fixes `C` from `contexts` so the evaluators are checked against the SDK's own context type. */
export function evaluators<C>(ev: Evaluators<C>): Evaluators {
  return ev;
}
