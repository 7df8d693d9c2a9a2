/**
 * Finds every place code reads a flag, with the TypeScript compiler (TS, TSX, JS, JSX): the
 * SDKs' reads by name, the key resolved by the type checker, so a string literal, a `const`, an
 * enum member, an `as const` object's property or a union of those all name their keys.
 *
 * Calls that read a flag (the key is argument 0 unless said otherwise):
 * - anywhere: `isEnabled` (Node, browser, Next `readFlags`), React `useFeatureFlag`,
 *   `useFlagValue`, OpenFeature `get{Boolean,String,Number,Object}{Value,Details}`;
 * - on a flag client only: `value`, `variant`, `evaluate`, `result`, `get`, `subscribe` (key is
 *   argument 1). A flag client is a receiver whose type is declared by an @edgeflags or
 *   @openfeature package, or, when types do not resolve (no node_modules), whose expression
 *   names flags (`flags.value`, `edgeflags.variant`, `readFlags(h).get`): `map.get('x')` is not one;
 * - Next's `createEdgeflagsMiddleware({ experiments: { 'key': … } })`: each experiment's key.
 */
import path from 'node:path';
import ts from 'typescript';
import { toPosix } from './files.ts';

export interface FlagRead {
  key: string;
  /** Relative to the scanned directory, `/` separators. */
  file: string;
  /** 1-based, where the key is written. */
  line: number;
  col: number;
  call: string;
}

/** A read whose key is not a constant (a parameter, a computed string): reported, never guessed. */
export type DynamicRead = Omit<FlagRead, 'key'>;

const ANYWHERE: ReadonlyMap<string, number> = new Map([
  ['isEnabled', 0],
  ['useFeatureFlag', 0],
  ['useFlagValue', 0],
  ...['Boolean', 'String', 'Number', 'Object'].flatMap((t) => [[`get${t}Value`, 0] as const, [`get${t}Details`, 0] as const]),
]);
const ON_CLIENT: ReadonlyMap<string, number> = new Map([
  ['value', 0],
  ['variant', 0],
  ['evaluate', 0],
  ['result', 0],
  ['get', 0],
  ['subscribe', 1],
]);
const FLAGGISH = /flag|edgeflags|feature|openfeature/i;
const SDK_DECLARATION = /[\\/]node_modules[\\/]@(edgeflags|openfeature)[\\/]/;

export const OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  noEmit: true,
  jsx: ts.JsxEmit.Preserve,
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  // Receivers typed by node_modules/@edgeflags/… keep that path (workspaces link packages).
  preserveSymlinks: true,
  skipLibCheck: true,
  noLib: true,
  types: [],
};

export interface Scan {
  reads: FlagRead[];
  dynamic: DynamicRead[];
  program: ts.Program;
}

/** Scans `files` (relative to `dir`) as one program, so constants imported across files resolve. */
export function scanFiles(dir: string, files: readonly string[]): Scan {
  const program = ts.createProgram(
    files.map((f) => path.join(dir, f)),
    OPTIONS,
    compilerHost(),
  );
  const checker = program.getTypeChecker();
  const reads: FlagRead[] = [];
  const dynamic: DynamicRead[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(path.join(dir, file));
    if (!sf) continue;
    const at = (node: ts.Node, call: string) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      return { file: toPosix(file), line: line + 1, col: character + 1, call };
    };
    const record = (node: ts.Expression, call: string) => {
      const keys = keysOf(checker, node);
      if (keys) for (const key of keys) reads.push({ key, ...at(node, call) });
      else dynamic.push(at(node, call));
    };
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const read = flagRead(checker, node);
        const arg = read && node.arguments[read.index];
        if (read && arg && !ts.isSpreadElement(arg)) record(arg, read.call);
        for (const { name, call } of experimentKeys(node)) {
          if (ts.isComputedPropertyName(name)) record(name.expression, call);
          else if (ts.isStringLiteral(name) || ts.isIdentifier(name) || ts.isNoSubstitutionTemplateLiteral(name))
            reads.push({ key: name.text, ...at(name, call) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { reads, dynamic, program };
}

/**
 * Resolves the app's own modules and the SDK packages, nothing else: a receiver's type only has
 * to say "an edgeflags client", and following every dependency (Next, React) costs seconds.
 */
export function compilerHost(): ts.CompilerHost {
  const host = ts.createCompilerHost(OPTIONS);
  host.resolveModuleNameLiterals = (literals, containingFile, _redirect, options) =>
    literals.map((literal) =>
      /^(\.|\/|@edgeflags\/|@openfeature\/)/.test(literal.text)
        ? ts.resolveModuleName(literal.text, containingFile, options, host)
        : { resolvedModule: undefined },
    );
  return host;
}

/** Which read `call` is, and where its key is; undefined when it is not a flag read. */
export function flagRead(checker: ts.TypeChecker, call: ts.CallExpression): { call: string; index: number } | undefined {
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (!name) return undefined;
  const anywhere = ANYWHERE.get(name);
  if (anywhere !== undefined) return { call: name, index: anywhere };
  const onClient = ON_CLIENT.get(name);
  if (onClient === undefined || !ts.isPropertyAccessExpression(callee)) return undefined;
  return isFlagClient(checker, callee.expression) ? { call: name, index: onClient } : undefined;
}

function isFlagClient(checker: ts.TypeChecker, receiver: ts.Expression): boolean {
  const type = checker.getTypeAtLocation(receiver);
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  const declared = symbol?.getDeclarations()?.map((d) => d.getSourceFile().fileName) ?? [];
  if (declared.some((f) => SDK_DECLARATION.test(f))) return true;
  // Types that resolved elsewhere (a Map, the app's own class) are not a flag client.
  const unresolved = (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 || declared.length === 0;
  return unresolved && FLAGGISH.test(receiver.getText());
}

/** The keys an expression stands for: a literal, or a constant whose type is string literals. */
export function keysOf(checker: ts.TypeChecker, expr: ts.Expression): string[] | undefined {
  if (ts.isStringLiteralLike(expr)) return [expr.text];
  // A parameter's type is whatever callers may pass (every key, with typegen): not a reference.
  if (ts.isIdentifier(expr)) {
    const declaration = checker.getSymbolAtLocation(expr)?.valueDeclaration;
    if (declaration && ts.isParameter(declaration)) return undefined;
  }
  const type = checker.getTypeAtLocation(expr);
  const parts = type.isUnion() ? type.types : [type];
  if (!parts.length || !parts.every((t) => t.isStringLiteral())) return undefined;
  return parts.map((t) => (t as ts.StringLiteralType).value);
}

/** `createEdgeflagsMiddleware({ experiments: { key: … } })`: the experiments' property names. */
function experimentKeys(call: ts.CallExpression): { name: ts.PropertyName; call: string }[] {
  const callee = call.expression;
  if (!ts.isIdentifier(callee) || callee.text !== 'createEdgeflagsMiddleware') return [];
  const options = call.arguments[0];
  if (!options || !ts.isObjectLiteralExpression(options)) return [];
  const experiments = options.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'experiments',
  );
  if (!experiments || !ts.isObjectLiteralExpression(experiments.initializer)) return [];
  return experiments.initializer.properties.flatMap((p) => (p.name ? [{ name: p.name, call: 'experiments' }] : []));
}
