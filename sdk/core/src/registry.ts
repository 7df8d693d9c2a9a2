// Typed flag keys. `npx edgeflags typegen` writes a declaration that augments `FlagRegistry`
// with the service's flags; every SDK keys its API on these types, so a mistyped key or
// variant is a compile error. Without the declaration, any string key is accepted.
//
//   declare module '@edgeflags/core' {
//     interface FlagRegistry {
//       'new-pdf-engine': { kind: 'boolean'; variant: 'on' | 'off'; value: boolean };
//     }
//   }
import type { FlagKind, JsonValue } from './types.ts';

export interface FlagShape {
  kind: FlagKind;
  variant: string;
  value: JsonValue;
}

// biome-ignore lint/suspicious/noEmptyInterface: augmented by generated declarations
export interface FlagRegistry {}

/** The service's flag keys once typegen has run; `string` before. */
export type FlagKey = [keyof FlagRegistry] extends [never] ? string : Extract<keyof FlagRegistry, string>;

/** Keys of boolean flags (every key before typegen). */
export type BooleanFlagKey = [keyof FlagRegistry] extends [never]
  ? string
  : { [K in keyof FlagRegistry]: FlagRegistry[K] extends { kind: 'boolean' } ? K : never }[keyof FlagRegistry] & string;

/** The variant names of a flag (any string before typegen or for an unknown key). */
export type VariantOf<K extends string> = K extends keyof FlagRegistry
  ? FlagRegistry[K] extends { variant: infer V extends string }
    ? V
    : string
  : string;

/** The value type of a flag (any JSON value before typegen or for an unknown key). */
export type ValueOf<K extends string> = K extends keyof FlagRegistry
  ? FlagRegistry[K] extends { value: infer V }
    ? V
    : JsonValue
  : JsonValue;
