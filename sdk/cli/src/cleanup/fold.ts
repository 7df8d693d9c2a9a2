/**
 * One pass of `edgeflags cleanup` over one file: each read of the flag becomes its final value,
 * and the value is folded up through what tests it (`!`, `&&`, `||`, `??`, comparisons with a
 * literal, a ternary, an `if`, JSX) until the dead branch is gone. Anything it cannot prove
 * equivalent is a refusal, never a guess.
 */
import ts from 'typescript';
import { flagRead, keysOf } from '../lint/scan.ts';
import { type Edit, indentAt, unwrapBlock, wholeLines } from './text.ts';

export type Primitive = string | number | boolean | null;

/** The flag's final answer: its value, and its variant when the service said which. */
export interface Final {
  value: Primitive;
  variant?: string | undefined;
}

export interface Refusal {
  line: number;
  col: number;
  message: string;
}

/** An edit, and the edits it is only valid together with (a removed alias needs all its uses gone). */
export interface PlannedEdit extends Edit {
  with?: PlannedEdit[];
}

export interface Plan {
  edits: PlannedEdit[];
  refusals: Refusal[];
  reads: number;
}

const up = (n: ts.Node): ts.Node => (n.parent && ts.isParenthesizedExpression(n.parent) ? up(n.parent) : n);
const unparen = (n: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(n) ? unparen(n.expression) : n);

/** Expressions that can be dropped or kept without changing behaviour: no call, no assignment. */
export function pure(n: ts.Node): boolean {
  if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isTaggedTemplateExpression(n) || ts.isAwaitExpression(n)) return false;
  if (ts.isYieldExpression(n) || ts.isDeleteExpression(n)) return false;
  if (
    ts.isBinaryExpression(n) &&
    n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
    n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
  )
    return false;
  if (
    (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
    [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(n.operator)
  )
    return false;
  if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) return true;
  return !ts.forEachChild(n, (c) => (pure(c) ? undefined : true));
}

const literal = (v: Primitive) => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v));

function literalValue(n: ts.Expression): { value: Primitive } | undefined {
  const e = unparen(n);
  if (ts.isStringLiteralLike(e)) return { value: e.text };
  if (ts.isNumericLiteral(e)) return { value: Number(e.text) };
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  return undefined;
}

export function planFile(sf: ts.SourceFile, checker: ts.TypeChecker, key: string, final: Final): Plan {
  const text = sf.text;
  const edits: PlannedEdit[] = [];
  const refusals: Refusal[] = [];
  let reads = 0;
  const refuse = (node: ts.Node, message: string): undefined => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    refusals.push({ line: line + 1, col: character + 1, message });
  };
  /** In `alias`: refused, so nothing to add (undefined would mean "not an alias"). */
  const refused = (node: ts.Node, message: string): PlannedEdit[] => {
    refuse(node, message);
    return [];
  };

  /** The value expression a read stands for, and its value; undefined after a refusal. */
  function readValue(call: ts.CallExpression, name: string): { expr: ts.Expression; value: Primitive } | undefined {
    const receiver = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
    const others = call.arguments.slice(1);
    if ((receiver && !pure(receiver)) || !others.every(pure))
      return refuse(call, `the read of "${key}" has side effects in its arguments or receiver: removing it would drop them`);
    const { value, variant } = final;
    const isBool = typeof value === 'boolean';
    if (name === 'isEnabled')
      return isBool ? { expr: call, value } : refuse(call, `isEnabled("${key}") but the final value is ${literal(value)}, not a boolean`);
    if (name === 'value' || name === 'useFlagValue') return { expr: call, value };
    if (name === 'variant')
      return variant !== undefined
        ? { expr: call, value: variant }
        : refuse(call, `variant("${key}"): the final variant is unknown (ask the service instead of --value)`);
    if (/^get(Boolean|String|Number)Value$/.test(name)) {
      const parent = up(call).parent;
      if (!parent || !ts.isAwaitExpression(parent))
        return refuse(call, `${name}("${key}") is not awaited where it is read: rewrite it by hand`);
      return { expr: parent, value };
    }
    if (name === 'useFeatureFlag') {
      const parent = up(call).parent;
      if (parent && ts.isPropertyAccessExpression(parent) && parent.name.text === 'enabled' && isBool) return { expr: parent, value };
      if (parent && ts.isPropertyAccessExpression(parent) && parent.name.text === 'variant' && variant !== undefined)
        return { expr: parent, value: variant };
      return refuse(call, `useFeatureFlag("${key}") is used as a whole object: only .enabled and .variant can be resolved`);
    }
    return refuse(call, `${name}("${key}") returns more than the value (details, a result, a subscription): rewrite it by hand`);
  }

  /** Folds `value` at `node` upward; one edit, or a refusal. */
  function fold(node: ts.Expression, start: Primitive): PlannedEdit | undefined {
    let cur: ts.Node = node;
    let value = start;
    for (;;) {
      cur = up(cur);
      const p = cur.parent;
      if (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) {
        cur = p;
        value = !value;
        continue;
      }
      if (ts.isBinaryExpression(p)) {
        const op = p.operatorToken.kind;
        const left = p.left === cur;
        if (
          op === ts.SyntaxKind.AmpersandAmpersandToken ||
          op === ts.SyntaxKind.BarBarToken ||
          op === ts.SyntaxKind.QuestionQuestionToken
        ) {
          if (!left)
            return refuse(
              p,
              `"${key}" is on the right of ${p.operatorToken.getText(sf)}: what the left side does decides, rewrite it by hand`,
            );
          const passes =
            op === ts.SyntaxKind.AmpersandAmpersandToken ? !value : op === ts.SyntaxKind.BarBarToken ? !!value : value !== null;
          if (passes) {
            cur = p;
            continue;
          }
          return replaceWith(p, p.right);
        }
        const eq = [
          ts.SyntaxKind.EqualsEqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          ts.SyntaxKind.EqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsToken,
        ];
        if (eq.includes(op)) {
          const other = literalValue(left ? p.right : p.left);
          if (!other) return refuse(p, `"${key}" is compared with something that is not a literal: rewrite it by hand`);
          const loose = op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
          // Loose equality across types coerces: only the same-type case is certain.
          if (loose && typeof value !== typeof other.value)
            return refuse(p, `"${key}" is compared with == across types: rewrite it by hand`);
          const same = value === other.value;
          value = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken ? same : !same;
          cur = p;
          continue;
        }
      }
      if (ts.isConditionalExpression(p) && p.condition === cur) return replaceWith(p, value ? p.whenTrue : p.whenFalse);
      if (ts.isIfStatement(p) && p.expression === cur) return ifEdit(p, !!value);
      if (ts.isJsxExpression(p) && isJsxChild(p) && (typeof value === 'boolean' || value === null)) return removeNode(p); // renders nothing
      return { start: cur.getStart(sf), end: cur.end, text: literal(value) };
    }
  }

  const isJsxChild = (n: ts.Node) => ts.isJsxElement(n.parent) || ts.isJsxFragment(n.parent);

  /** `target` becomes `by`; a JSX child `{…}` holding an element becomes the element itself. */
  function replaceWith(target: ts.Node, by: ts.Expression): PlannedEdit {
    const outer = up(target);
    const inner = unparen(by);
    const holder = outer.parent;
    if (holder && ts.isJsxExpression(holder) && isJsxChild(holder)) {
      if (ts.isJsxElement(inner) || ts.isJsxSelfClosingElement(inner) || ts.isJsxFragment(inner))
        return { start: holder.getStart(sf), end: holder.end, text: inner.getText(sf) };
      const lit = literalValue(inner);
      if (lit && (typeof lit.value === 'boolean' || lit.value === null)) return removeNode(holder);
    }
    return { start: outer.getStart(sf), end: outer.end, text: by.getText(sf) };
  }

  function removeNode(n: ts.Node): PlannedEdit {
    return { ...wholeLines(text, n.getStart(sf), n.end), text: '' };
  }

  function ifEdit(stmt: ts.IfStatement, truthy: boolean): PlannedEdit {
    const branch = truthy ? stmt.thenStatement : stmt.elseStatement;
    const parent = stmt.parent;
    if (ts.isIfStatement(parent) && parent.elseStatement === stmt) {
      // `else if (flag)`: keep a block as a block; no branch left drops the `else` as well.
      if (!branch) return { start: parent.thenStatement.end, end: stmt.end, text: '' };
      return { start: stmt.getStart(sf), end: stmt.end, text: branch.getText(sf) };
    }
    const inList =
      ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isModuleBlock(parent);
    if (!branch) return inList ? removeNode(stmt) : { start: stmt.getStart(sf), end: stmt.end, text: '{}' };
    if (!inList) return { start: stmt.getStart(sf), end: stmt.end, text: branch.getText(sf) };
    // An early exit kept unconditionally makes the rest of the block dead: it goes too.
    const last = ts.isBlock(branch) ? branch.statements.at(-1) : branch;
    const siblings = (parent as ts.Block | ts.SourceFile | ts.CaseOrDefaultClause).statements;
    const end = last && (ts.isReturnStatement(last) || ts.isThrowStatement(last)) ? siblings.at(-1)!.end : stmt.end;
    if (!ts.isBlock(branch)) return { start: stmt.getStart(sf), end, text: branch.getText(sf) };
    // Declarations at the block's top level could clash with the outer scope: keep the braces.
    const declares = branch.statements.some((s) => ts.isVariableStatement(s) || ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s));
    if (declares) return { start: stmt.getStart(sf), end, text: branch.getText(sf) };
    if (!branch.statements.length) return removeNode(stmt);
    const body = unwrapBlock(text, branch.getStart(sf), branch.end - 1, indentAt(text, stmt.getStart(sf)));
    return { start: stmt.getStart(sf), end, text: body };
  }

  /** `const on = flags.isEnabled(KEY)`: every use of `on` is a read; the declaration goes with them. */
  function alias(expr: ts.Expression, value: Primitive): PlannedEdit[] | undefined {
    const decl = up(expr).parent;
    if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return undefined;
    const list = decl.parent;
    const statement = list.parent;
    if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(statement))
      return refused(decl, `"${decl.name.text}" holds the value of "${key}" outside a plain declaration`);
    if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
      return refused(decl, `"${decl.name.text}" holds the value of "${key}" and is exported: it is used elsewhere`);
    if (list.declarations.length > 1)
      return refused(decl, `"${decl.name.text}" is declared together with other variables: split the declaration first`);
    const symbol = checker.getSymbolAtLocation(decl.name);
    const uses: ts.Identifier[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && n !== decl.name && checker.getSymbolAtLocation(n) === symbol) uses.push(n);
      else if (ts.isShorthandPropertyAssignment(n) && checker.getShorthandAssignmentValueSymbol(n) === symbol) uses.push(n.name);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    const reassigned = uses.some((u) => {
      const p = up(u).parent;
      return (
        (ts.isBinaryExpression(p) &&
          p.left === up(u) &&
          p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
          p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) ||
        ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) &&
          [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken].includes(p.operator))
      );
    });
    if (reassigned)
      return refused(decl, `"${decl.name.text}" holds the value of "${key}" and is reassigned: its value is not the flag's everywhere`);
    const useEdits: PlannedEdit[] = [];
    for (const u of uses) {
      if (ts.isShorthandPropertyAssignment(u.parent))
        useEdits.push({ start: u.parent.getStart(sf), end: u.parent.end, text: `${u.text}: ${literal(value)}` });
      else {
        const e = fold(u, value);
        if (!e) return [];
        useEdits.push(e);
      }
    }
    return [...useEdits, { ...removeNode(statement), with: useEdits }];
  }

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const read = flagRead(checker, node);
      const arg = read && node.arguments[read.index];
      const keys = arg && !ts.isSpreadElement(arg) ? keysOf(checker, arg) : undefined;
      if (read && keys?.includes(key)) {
        reads++;
        if (keys.length > 1) refuse(node, `the key is chosen at run time (${keys.join(' | ')}): rewrite it by hand`);
        else {
          const found = readValue(node, read.call);
          if (found) {
            const aliased = alias(found.expr, found.value);
            if (aliased) edits.push(...aliased);
            else {
              const e = fold(found.expr, found.value);
              if (e) edits.push(e);
            }
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { edits, refusals, reads };
}
