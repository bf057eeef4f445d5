// Jinja2 semantics in the generated JS, as a Compiler subclass: Python truthiness, operators and
// equality, getattr/getitem lookups, dict keys as expressions, macros with defaults/varargs/kwargs
// and return(), for-loops with filters, loop objects and break/continue. `not a == b` is fixed by
// parenthesising every unary operand (nunjucks emits `!a == b`).
import { BaseCompiler, baseRuntime, nodes } from './internals.js';
import type { Loose } from './internals.js';
import { parseTemplate } from './parser.js';

/** Compiles template source to the JS body that returns nunjucks template props (`{ root }`). */
export function compileTemplateSource(src: string, name: string): string {
  const c = new JinjaCompiler(name, false);
  c.compile(parseTemplate(src));
  return c.getCode();
}

const CMP_OPS: Record<string, string> = { '==': '==', '===': '==', '!=': '!=', '!==': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };

class JinjaCompiler extends BaseCompiler {
  constructor(...args: unknown[]) {
    super(...args);
  }

  /** How many loops enclose the code being emitted within the current JS function. */
  loopDepth = 0;

  compileSymbol(node: Loose, frame: Loose): void {
    const name = node.value as string;
    if (name === 'True' || name === 'False' || name === 'None') {
      this._emit(name === 'True' ? 'true' : name === 'False' ? 'false' : 'null');
      return;
    }
    const v = frame.lookup(name);
    if (v) this._emit(v);
    else this._emit(`runtime.lookup(context, frame, ${JSON.stringify(name)})`);
  }

  /** `(a, b)` is a tuple; `(a)` is a. */
  compileGroup(node: Loose, frame: Loose): void {
    if (node.children.length === 1) this._compileAggregate(node, frame, '(', ')');
    else this._compileAggregate(node, frame, '[', ']');
  }

  /** Keys are expressions: `{name: 1}` uses the variable `name`, as in Jinja. */
  compileDict(node: Loose, frame: Loose): void {
    this._emit('runtime.makeDict([');
    node.children.forEach((pair: Loose, i: number) => {
      if (i > 0) this._emit(',');
      this._emit('[');
      this._compileExpression(pair.key, frame);
      this._emit(',');
      this._compileExpression(pair.value, frame);
      this._emit(']');
    });
    this._emit('])');
  }

  /** Keyword argument names are literal names. */
  compileKeywordArgs(node: Loose, frame: Loose): void {
    this._emit('{');
    node.children.forEach((pair: Loose, i: number) => {
      if (i > 0) this._emit(',');
      this._emit(`${JSON.stringify(pair.key.value)}: `);
      this._compileExpression(pair.value, frame);
    });
    this._emit('}');
  }

  compileInlineIf(node: Loose, frame: Loose): void {
    this._emit('(runtime.truthy(');
    this.compile(node.cond, frame);
    this._emit(') ? (');
    this.compile(node.body, frame);
    this._emit(') : (');
    if (node.else_ !== null) this.compile(node.else_, frame);
    else this._emit('undefined');
    this._emit('))');
  }

  compileIn(node: Loose, frame: Loose): void {
    this._emit('runtime.contains(');
    this.compile(node.right, frame);
    this._emit(',');
    this.compile(node.left, frame);
    this._emit(')');
  }

  compileTest(node: Loose, frame: Loose): void {
    this._emit(`runtime.test(env, ${JSON.stringify(node.name)}, context, [`);
    this.compile(node.target, frame);
    for (const a of node.args.children) {
      this._emit(',');
      this._compileExpression(a, frame);
    }
    this._emit('])');
  }

  compileIs(node: Loose, frame: Loose): void {
    this.fail('internal: unexpected Is node', node.lineno, node.colno);
  }

  /** `a or b` returns a or b itself (Python), evaluating b only when needed. */
  compileOr(node: Loose, frame: Loose): void {
    this._emitLazyBinOp('or', node, frame);
  }

  compileAnd(node: Loose, frame: Loose): void {
    this._emitLazyBinOp('and', node, frame);
  }

  _emitLazyBinOp(op: string, node: Loose, frame: Loose): void {
    this._emit(`runtime.${op}(`);
    this.compile(node.left, frame);
    this._emit(', function() { return ');
    this.compile(node.right, frame);
    this._emit('; })');
  }

  compileNot(node: Loose, frame: Loose): void {
    this._emit('(!runtime.truthy(');
    this.compile(node.target, frame);
    this._emit('))');
  }

  compileNeg(node: Loose, frame: Loose): void {
    this._emit('(-(');
    this.compile(node.target, frame);
    this._emit('))');
  }

  compilePos(node: Loose, frame: Loose): void {
    this._emit('(+(');
    this.compile(node.target, frame);
    this._emit('))');
  }

  _emitHelper(helper: string, node: Loose, frame: Loose): void {
    this._emit(`runtime.${helper}(`);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  }

  compileAdd(node: Loose, frame: Loose): void {
    this._emitHelper('add', node, frame);
  }

  compileConcat(node: Loose, frame: Loose): void {
    this._emitHelper('concat', node, frame);
  }

  compileMul(node: Loose, frame: Loose): void {
    this._emitHelper('mul', node, frame);
  }

  compileMod(node: Loose, frame: Loose): void {
    this._emitHelper('mod', node, frame);
  }

  compileFloorDiv(node: Loose, frame: Loose): void {
    this._emitHelper('floorDiv', node, frame);
  }

  compileSub(node: Loose, frame: Loose): void {
    this._emitHelper('sub', node, frame);
  }

  compileDiv(node: Loose, frame: Loose): void {
    this._emit('(');
    this._binOpEmitter(node, frame, ' / ');
    this._emit(')');
  }

  /** Chained comparisons (`a < b < c`) and structural `==`. */
  compileCompare(node: Loose, frame: Loose): void {
    this._emit('runtime.compare(');
    this.compile(node.expr, frame);
    this._emit(', [');
    node.ops.forEach((op: Loose, i: number) => {
      if (i > 0) this._emit(',');
      const js = CMP_OPS[op.type as string];
      if (js === undefined) this.fail(`unknown comparison ${op.type}`, op.lineno, op.colno);
      this._emit(JSON.stringify(js));
    });
    this._emit('], [');
    node.ops.forEach((op: Loose, i: number) => {
      if (i > 0) this._emit(',');
      this.compile(op.expr, frame);
    });
    this._emit('])');
  }

  compileLookupVal(node: Loose, frame: Loose): void {
    this._emit(node.attr ? 'runtime.getAttr((' : 'runtime.getItem((');
    this._compileExpression(node.target, frame);
    this._emit('),');
    this._compileExpression(node.val, frame);
    this._emit(')');
  }

  compileSlice(node: Loose, frame: Loose): void {
    this._emit('runtime.slice(');
    this._compileExpression(node.target, frame);
    for (const part of [node.start, node.stop, node.step]) {
      this._emit(',');
      if (part === null) this._emit('null');
      else this._compileExpression(part, frame);
    }
    this._emit(')');
  }

  assertType(node: Loose, ...types: Loose[]): void {
    if (node.typename === 'Slice' || node.typename === 'Test') return;
    super.assertType(node, ...types);
  }

  /** Calls go through runtime.call with positional, keyword and spread arguments kept apart. */
  compileFunCall(node: Loose, frame: Loose): void {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.call(`);
    this._compileExpression(node.name, frame);
    this._emit(`, ${JSON.stringify(this._getNodeName(node.name))}, context, `);
    this._emitArguments(node.args.children, frame);
    this._emit('))');
  }

  /** Emits `[positional…], {keywords…}, starArgs, starKwargs`. */
  _emitArguments(children: Loose[], frame: Loose): void {
    const positional = children.filter((c) => !(c instanceof nodes.KeywordArgs) && c.typename !== 'StarArgs' && c.typename !== 'StarKwargs');
    const keywords = children.filter((c) => c instanceof nodes.KeywordArgs);
    const star = children.find((c) => c.typename === 'StarArgs');
    const starKw = children.find((c) => c.typename === 'StarKwargs');
    this._emit('[');
    positional.forEach((c: Loose, i: number) => {
      if (i > 0) this._emit(',');
      this._compileExpression(c, frame);
    });
    this._emit('], ');
    if (keywords.length === 0) this._emit('null');
    else {
      this._emit('Object.assign({}');
      for (const k of keywords) {
        this._emit(',');
        this.compileKeywordArgs(k, frame);
      }
      this._emit(')');
    }
    this._emit(', ');
    if (star) this._compileExpression(star.value, frame);
    else this._emit('null');
    this._emit(', ');
    if (starKw) this._compileExpression(starKw.value, frame);
    else this._emit('null');
  }

  compileFilter(node: Loose, frame: Loose): void {
    this.assertType(node.name, nodes.Symbol);
    this._emit(`runtime.filter(env, ${JSON.stringify(node.name.value)}, context, `);
    this._emitArguments(node.args.children, frame);
    this._emit(')');
  }

  compileStarArgs(node: Loose): void {
    this.fail('*args can only be used in a call', node.lineno, node.colno);
  }

  compileStarKwargs(node: Loose): void {
    this.fail('**kwargs can only be used in a call', node.lineno, node.colno);
  }

  compileDo(node: Loose, frame: Loose): void {
    this._compileExpression(node.expr, frame);
    this._emitLine(';');
  }

  compileLoopControl(node: Loose): void {
    if (this.loopDepth === 0) this.fail(`'${node.kind}' outside of a for loop`, node.lineno, node.colno);
    this._emitLine(`${node.kind as string};`);
  }

  compileDocsDef(node: Loose): void {
    this._emitLine(`runtime.defineDoc(${JSON.stringify(node.name)}, ${JSON.stringify(node.text)});`);
  }

  compileIf(node: Loose, frame: Loose): void {
    this._emit('if(runtime.truthy(');
    this._compileExpression(node.cond, frame);
    this._emitLine(')) {');
    this._withScopedSyntax(() => this.compile(node.body, frame));
    if (node.else_) {
      this._emitLine('}\nelse {');
      this._withScopedSyntax(() => this.compile(node.else_, frame));
    }
    this._emitLine('}');
  }

  /** `set x = v`, `set ns.attr = v`, `set a, b = pair` and `{% set x %}…{% endset %}`. */
  compileSet(node: Loose, frame: Loose): void {
    const value = this._tmpid();
    this._emit(`var ${value} = `);
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(';');
    const targets: Loose[] = node.targets;
    if (targets.length > 1) this._emitLine(`${value} = runtime.unpack(${value}, ${targets.length});`);
    targets.forEach((target, i) => {
      const item = targets.length > 1 ? `${value}[${i}]` : value;
      if (target instanceof nodes.LookupVal) {
        this._emit('runtime.setAttr(');
        this._compileExpression(target.target, frame);
        this._emit(', ');
        this._compileExpression(target.val, frame);
        this._emitLine(`, ${item});`);
        return;
      }
      if (!(target instanceof nodes.Symbol)) this.fail('set: can only assign to names and attributes', target.lineno, target.colno);
      const name = target.value as string;
      let id = frame.lookup(name);
      if (id === null || id === undefined) {
        id = this._tmpid();
        this._emitLine(`var ${id as string};`);
      }
      this._emitLine(`${id as string} = ${item};`);
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${id as string}, true);`);
      this._emitLine('if(frame.topLevel) {');
      this._emitLine(`context.setVariable(${JSON.stringify(name)}, ${id as string});`);
      if (!name.startsWith('_')) this._emitLine(`context.addExport(${JSON.stringify(name)}, ${id as string});`);
      this._emitLine('}');
    });
  }

  /** Captures (`{% set x %}`, filter blocks) run in their own JS function: no break across them. */
  compileCapture(node: Loose, frame: Loose): void {
    const depth = this.loopDepth;
    this.loopDepth = 0;
    super.compileCapture(node, frame);
    this.loopDepth = depth;
  }

  /**
   * Loops over Python iteration order (dict → keys), with Jinja's `if` filter applied before
   * counting, a `loop` object per iteration, and `else` when nothing was iterated.
   */
  compileFor(node: Loose, frame: Loose): void {
    const arr = this._tmpid();
    const len = this._tmpid();
    const i = this._tmpid();
    const state = this._tmpid();
    const names: Loose[] = node.name instanceof nodes.Array ? node.name.children : [node.name];
    for (const n of names) if (!(n instanceof nodes.Symbol)) this.fail('for: loop targets must be names', n.lineno, n.colno);
    frame = frame.push();
    this._emitLine('frame = frame.push();');
    this._emit(`var ${arr} = runtime.iterate(`);
    this._compileExpression(node.arr, frame);
    this._emitLine(`, ${names.length});`);
    if (node.cond) {
      const kept = this._tmpid();
      const j = this._tmpid();
      const condFrame = frame.push();
      this._emitLine(`var ${kept} = [];`);
      this._emitLine(`for (var ${j} = 0; ${j} < ${arr}.length; ${j}++) {`);
      this._emitBindings(names, `${arr}[${j}]`, condFrame);
      this._emit('if (runtime.truthy(');
      this._compileExpression(node.cond, condFrame);
      this._emitLine(`)) ${kept}.push(${arr}[${j}]);`);
      this._emitLine('}');
      this._emitLine(`${arr} = ${kept};`);
    }
    this._emitLine(`var ${len} = ${arr}.length;`);
    this._emitLine(`var ${state} = runtime.loopState();`);
    this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) {`);
    this._emitBindings(names, `${arr}[${i}]`, frame);
    this._emitLine(`frame.set("loop", runtime.makeLoop(${arr}, ${i}, ${state}));`);
    this.loopDepth++;
    this._withScopedSyntax(() => this.compile(node.body, frame));
    this.loopDepth--;
    this._emitLine('}');
    if (node.else_) {
      this._emitLine(`if (${len} === 0) {`);
      this.compile(node.else_, frame);
      this._emitLine('}');
    }
    this._emitLine('frame = frame.pop();');
  }

  _emitBindings(names: Loose[], item: string, frame: Loose): void {
    if (names.length === 1) {
      const id = this._tmpid();
      this._emitLine(`var ${id} = ${item};`);
      this._emitLine(`frame.set(${JSON.stringify(names[0].value)}, ${id});`);
      frame.set(names[0].value, id);
      return;
    }
    const tuple = this._tmpid();
    this._emitLine(`var ${tuple} = runtime.unpack(${item}, ${names.length});`);
    names.forEach((n, k) => {
      const id = this._tmpid();
      this._emitLine(`var ${id} = ${tuple}[${k}];`);
      this._emitLine(`frame.set(${JSON.stringify(n.value)}, ${id});`);
      frame.set(n.value, id);
    });
  }

  /**
   * A macro is a JS function with its own `frame` variable (restoring the caller's frame cannot be
   * skipped by a `return()` throw). runtime.makeMacro binds Python-style arguments; defaults are
   * evaluated per call, in order, so later defaults may use earlier arguments.
   */
  _compileMacro(node: Loose, frame: Loose): string {
    const positional: Loose[] = [];
    const defaults = new Map<string, Loose>();
    for (const arg of node.args.children) {
      if (arg instanceof nodes.KeywordArgs) {
        for (const pair of arg.children) {
          positional.push(pair.key);
          defaults.set(pair.key.value as string, pair.value);
        }
      } else {
        this.assertType(arg, nodes.Symbol);
        positional.push(arg);
      }
    }
    const isCaller = frame !== undefined;
    const funcId = `macro_${this._tmpid()}`;
    const macroName = isCaller ? 'caller' : (node.name.value as string);
    const argNames = positional.map((a) => JSON.stringify(a.value)).join(', ');
    const bound = this._tmpid();
    const varargs = this._tmpid();
    const kwargs = this._tmpid();
    const caller = this._tmpid();
    const parentFrame = this._tmpid();
    const currFrame = isCaller ? frame.push(true) : new baseRuntime.Frame();
    this._emitLines(
      `var ${funcId} = (function(${parentFrame}) { return runtime.makeMacro(${JSON.stringify(macroName)}, [${argNames}], ${isCaller}, function (${bound}, ${varargs}, ${kwargs}, ${caller}) {`,
      `var frame = ${isCaller ? `${parentFrame}.push(true)` : 'new runtime.Frame()'};`,
      'try {',
    );
    positional.forEach((a, k) => {
      const name = a.value as string;
      const id = `l_${name}`;
      this._emitLine(`var ${id} = ${bound}[${k}];`);
      if (defaults.has(name)) {
        this._emit(`if (${id} === runtime.MISSING) ${id} = `);
        this._compileExpression(defaults.get(name), currFrame);
        this._emitLine(';');
      } else {
        this._emitLine(`if (${id} === runtime.MISSING) ${id} = undefined;`);
      }
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${id});`);
      currFrame.set(name, id);
    });
    this._emitLine(`frame.set("varargs", ${varargs});`);
    this._emitLine(`frame.set("kwargs", ${kwargs});`);
    this._emitLine(`if (${caller} !== undefined) frame.set("caller", ${caller});`);
    const depth = this.loopDepth;
    this.loopDepth = 0;
    const bufferId = this._pushBuffer();
    this._withScopedSyntax(() => this.compile(node.body, currFrame));
    this._emitLine(`return ${bufferId};`);
    this._popBuffer();
    this.loopDepth = depth;
    this._emitLine(`} catch (e) { throw runtime.annotateError(e, ${this._templateName()}, ${JSON.stringify(macroName)}, lineno); }`);
    this._emitLine(`}); })(${isCaller ? 'frame' : 'null'});`);
    return funcId;
  }

  compileCaller(node: Loose, frame: Loose): void {
    this._emit('(function (){');
    const funcId = this._compileMacro(node, frame);
    this._emit(`return ${funcId};})()`);
  }
}
