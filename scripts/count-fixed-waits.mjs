#!/usr/bin/env node
/**
 * node scripts/count-fixed-waits.mjs [--json] [DIR...]   fixed waits in the test code, per suite
 *
 * A fixed wait is test code pausing for a set time and then going on as if something had (or had not)
 * happened. The rule (docs/testing.md, "Waiting in tests"), read from each .ts file's syntax tree:
 *
 *   counted  a timer that resolves a promise (`await new Promise((r) => setTimeout(r, ms))`, a fixed
 *            window that resolves with what it collected, a `Promise.race` against a resolving timer);
 *            a call of a pause helper (a function whose body is such a promise, or `setTimeout` /
 *            `scheduler.wait` of node:timers/promises); a timer that starts any other action later
 *            (a delayed trigger or probe); `sleep` run by the test itself (execa('sleep', ...), or
 *            `docker exec ... sleep N`).
 *   not      a timer that only fails or cuts a wait short (reject, throw, abort, kill, destroy, close,
 *            end): a bound; a pause inside a polling loop with a bound (its condition compares with
 *            Date.now() or a count, and the loop can end on the state it polls: `&&` in the condition,
 *            or break/return/throw in its body); `sleep` inside the command of a container, a service
 *            or a terminal pane, or in a method of an object literal (a fake engine whose wake takes
 *            300 ms): the workload (keeping the process up, pacing its output, a slow
 *            start) whose state or output the test then waits on. Programs under test/ that a test
 *            starts as processes of their own (.mjs, .py) are workload and not read.
 *
 * DIR defaults to test/. Prints each wait as file:line with its text, then a count per suite (the
 * directory under test/); --json prints { suites: { name: count }, waits: [{ file, line, text }] }.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BOUNDS = new Set(['reject', 'abort', 'kill', 'destroy', 'close', 'end', 'write', 'terminate', 'clearTimeout', 'clearInterval']);
const EXEC = new Set(['execa', 'execaSync', 'execFile', 'execFileSync', 'spawn', 'spawnSync', 'exec', 'execSync']);

function files(dir) {
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'fixtures' ? [] : files(p);
    return /\.(m|c)?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const parsed = new Map();
const parse = (file) => {
  if (!parsed.has(file)) parsed.set(file, ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  return parsed.get(file);
};
const calleeName = (call) => {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
};
const isGlobalTimer = (call, timerAliases) => ts.isIdentifier(call.expression) && call.expression.text === 'setTimeout' && !timerAliases.has('setTimeout');
const isFunction = (n) => ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n);

/** Names imported from node:timers/promises that pause (setTimeout, or scheduler for scheduler.wait). */
function timerImports(sf) {
  const pauses = new Set();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !/^(node:)?timers\/promises$/.test(st.moduleSpecifier.text)) continue;
    const named = st.importClause?.namedBindings;
    if (named && ts.isNamedImports(named)) {
      for (const el of named.elements) if ((el.propertyName ?? el.name).text === 'setTimeout' || (el.propertyName ?? el.name).text === 'scheduler') pauses.add(el.name.text);
    }
  }
  return pauses;
}

/** The `new Promise(executor)` around node, if any. */
function enclosingPromise(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (isFunction(n) && ts.isNewExpression(n.parent) && n.parent.expression.getText() === 'Promise' && n.parent.arguments?.[0] === n) return n.parent;
  }
  return undefined;
}

/** The resolve parameter of the `new Promise(executor)` around node, if any. */
function enclosingResolve(node) {
  const p = enclosingPromise(node)?.arguments[0].parameters[0];
  return p && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

/** How a setTimeout's callback acts: 'resolves' the enclosing promise, only 'bounds' a wait, or does 'other' work later. */
function timerKind(call) {
  const cb = call.arguments[0];
  if (!cb) return 'other';
  const res = enclosingResolve(call);
  if (ts.isIdentifier(cb)) return cb.text === res ? 'resolves' : BOUNDS.has(cb.text) ? 'bounds' : 'other';
  if (!isFunction(cb)) return 'other';
  let resolves = false;
  let other = false;
  const mentions = (n) => {
    if (ts.isIdentifier(n) && n.text === res) resolves = true;
    ts.forEachChild(n, mentions);
  };
  mentions(cb.body);
  // What the callback does: its top-level calls (a comma list, expression statements), not the calls in their arguments.
  const act = (e) => {
    while (ts.isParenthesizedExpression(e) || ts.isVoidExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) return (act(e.left), act(e.right));
    if (ts.isCallExpression(e) && BOUNDS.has(calleeName(e))) return;
    if (ts.isCallExpression(e) && calleeName(e) === res) return;
    other = true;
  };
  if (ts.isBlock(cb.body)) {
    for (const st of cb.body.statements) {
      if (ts.isExpressionStatement(st)) act(st.expression);
      else if (!ts.isThrowStatement(st)) other = true;
    }
  } else act(cb.body);
  return resolves ? 'resolves' : other ? 'other' : 'bounds';
}

const hasDateNow = (n) => {
  let found = false;
  const v = (m) => {
    if (ts.isCallExpression(m) && m.expression.getText() === 'Date.now') found = true;
    ts.forEachChild(m, v);
  };
  v(n);
  return found;
};
const RELATIONAL = new Set([ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken]);
const hasCompare = (n) => {
  let found = false;
  const v = (m) => {
    if (ts.isBinaryExpression(m) && RELATIONAL.has(m.operatorToken.kind)) found = true;
    ts.forEachChild(m, v);
  };
  v(n);
  return found;
};
const hasAnd = (n) => ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || hasAnd(n.left) || hasAnd(n.right));
function exits(body) {
  let found = false;
  const v = (m) => {
    if (isFunction(m)) return;
    if (ts.isBreakStatement(m) || ts.isReturnStatement(m) || ts.isThrowStatement(m)) found = true;
    ts.forEachChild(m, v);
  };
  v(body);
  return found;
}

const POLLERS = new Set(['waitFor', 'waitUntil', 'until']);

/** True when node sits in a polling loop with a bound (in the same function), or in the step of a polling helper (waitFor). */
function inBoundedPoll(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (isFunction(n)) return ts.isCallExpression(n.parent) && POLLERS.has(calleeName(n.parent)) && n.parent.arguments[0] === n;
    if (!ts.isWhileStatement(n) && !ts.isDoStatement(n) && !ts.isForStatement(n)) continue;
    const cond = ts.isForStatement(n) ? n.condition : n.expression;
    if (cond && (hasDateNow(cond) || hasCompare(cond)) && (hasAnd(cond) || exits(n.statement))) return true;
    if (hasDateNow(n.statement) && exits(n.statement)) return true;
  }
  return false;
}

/** True when node sits in a method of an object literal: a fake's behaviour (a wake that takes 300 ms), not the test's. */
function inFakeMethod(node) {
  for (let n = node.parent; n; n = n.parent) {
    if (!isFunction(n)) continue;
    const owner = ts.isMethodDeclaration(n) ? n : n.parent;
    if ((ts.isMethodDeclaration(owner) || ts.isPropertyAssignment(owner)) && ts.isObjectLiteralExpression(owner.parent)) return true;
  }
  return false;
}

/** Names of pause helpers a file defines: a function whose whole body is a promise resolved by a timer. */
function pauseHelpers(sf, timerAliases) {
  const names = new Set();
  const isPauseBody = (body) => {
    let e = body;
    if (ts.isBlock(body)) {
      const st = body.statements;
      if (st.length !== 1) return false;
      e = ts.isReturnStatement(st[0]) ? st[0].expression : ts.isExpressionStatement(st[0]) ? st[0].expression : undefined;
      if (e && ts.isAwaitExpression(e)) e = e.expression;
    }
    if (!e) return false;
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && timerAliases.has(e.expression.text)) return true;
    if (!ts.isNewExpression(e) || e.expression.getText() !== 'Promise') return false;
    let pause = false;
    const v = (m) => {
      if (ts.isCallExpression(m) && isGlobalTimer(m, timerAliases) && timerKind(m) === 'resolves') pause = true;
      ts.forEachChild(m, v);
    };
    v(e);
    return pause;
  };
  const visit = (n) => {
    if (ts.isFunctionDeclaration(n) && n.name && n.body && isPauseBody(n.body)) names.add(n.name.text);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && isFunction(n.initializer) && isPauseBody(n.initializer.body)) names.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return names;
}

const importedNames = (sf) =>
  new Set(
    sf.statements.flatMap((st) => {
      const named = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : undefined;
      return named && ts.isNamedImports(named) && st.moduleSpecifier.text.startsWith('.') ? named.elements.map((el) => el.name.text) : [];
    }),
  );

/** The helper definition a timer sits in, when the timer is a pause helper's own body. */
function insideHelper(node, helpers) {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) && n.name && helpers.has(n.name.text)) return true;
    if (isFunction(n) && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name) && helpers.has(n.parent.name.text)) return true;
  }
  return false;
}

/** `sleep` run by the test: execa('sleep', ...), or an argument list of a `docker exec` with sleep in it. */
function execSleep(call) {
  if (!EXEC.has(calleeName(call))) return false;
  const lits = (a) => (ts.isStringLiteralLike(a) ? [a.text] : ts.isArrayLiteralExpression(a) ? a.elements.filter(ts.isStringLiteralLike).map((e) => e.text) : []);
  const [first, ...rest] = call.arguments;
  if (first && ts.isStringLiteralLike(first) && /^sleep(\s+[\d.]+)?$/.test(first.text.trim())) return true;
  const words = rest.flatMap(lits);
  return words.includes('exec') && words.some((w) => /^sleep$|^sleep\s+[\d.]+/.test(w.trim()));
}

export function fixedWaits(file, allHelpers) {
  const sf = parse(file);
  const timers = timerImports(sf);
  const own = pauseHelpers(sf, timers);
  const imported = importedNames(sf);
  const pauses = new Set([...timers, ...own, ...[...imported].filter((n) => allHelpers.has(n))]);
  const found = [];
  const add = (node) => {
    if (inBoundedPoll(enclosingPromise(node) ?? node) || inFakeMethod(enclosingPromise(node) ?? node)) return;
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push({ file: relative(ROOT, file), line: line + 1, text: sf.text.split('\n')[line].trim() });
  };
  const visit = (n) => {
    if (ts.isCallExpression(n)) {
      if (isGlobalTimer(n, timers)) {
        const kind = timerKind(n);
        if (kind === 'other' || (kind === 'resolves' && !insideHelper(n, own))) add(n);
      } else if (ts.isIdentifier(n.expression) && pauses.has(n.expression.text) && !insideHelper(n, own)) add(n);
      else if (ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'wait' && ts.isIdentifier(n.expression.expression) && timers.has(n.expression.expression.text)) add(n);
      else if (execSleep(n)) add(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

export function countFixedWaits(dirs) {
  const all = dirs.flatMap((d) => files(resolve(ROOT, d)));
  const helpers = new Set(all.flatMap((f) => [...pauseHelpers(parse(f), timerImports(parse(f)))]));
  const waits = all.flatMap((f) => fixedWaits(f, helpers));
  const suites = {};
  for (const f of all) suites[suiteOf(relative(ROOT, f))] ??= 0;
  for (const w of waits) suites[suiteOf(w.file)]++;
  return { suites, waits };
}

const suiteOf = (file) => {
  const parts = file.split('/');
  return parts[0] === 'test' && parts.length > 2 ? parts[1] : parts.slice(0, -1).join('/') || '.';
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dirs = args.filter((a) => a !== '--json');
  const result = countFixedWaits(dirs.length ? dirs : ['test']);
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    for (const w of result.waits) process.stdout.write(`${w.file}:${w.line}  ${w.text}\n`);
    const total = result.waits.length;
    process.stdout.write(
      `\n${Object.entries(result.suites)
        .map(([s, n]) => `${s} ${n}`)
        .join('\n')}\ntotal ${total}\n`,
    );
  }
}
