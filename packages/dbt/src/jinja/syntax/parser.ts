// Jinja2 syntax nunjucks lacks, as a Parser subclass: do/break/continue, for-if filters, dotted and
// unpacking set targets, slices, call-site *args/**kwargs, tests with arguments, and dbt's block tags
// (materialization, test, snapshot → named macros; docs → docs store).
import { BaseParser, lexer, nodes } from './internals.js';
import type { Loose } from './internals.js';
import { DocsDef, Do, LoopControl, Slice, StarArgs, StarKwargs, Test } from './nodes.js';

/** Names that end an `is` test's bare argument instead of being it (`x is none and y`). */
const TEST_ARG_STOP = new Set(['and', 'or', 'else', 'if', 'not', 'in', 'is']);

/** Parses one template source into a nunjucks Root node with this package's extra nodes. */
export function parseTemplate(src: string): Loose {
  const p = new JinjaParser(lexer.lex(src, {}));
  return p.parseAsRoot();
}

class JinjaParser extends BaseParser {
  constructor(...args: unknown[]) {
    super(...args);
  }

  parseStatement(): Loose {
    const tok = this.peekToken();
    if (tok.type !== lexer.TOKEN_SYMBOL) this.fail('tag name expected', tok.lineno, tok.colno);
    if (this.breakOnBlocks && this.breakOnBlocks.indexOf(tok.value) !== -1) return null;
    switch (tok.value) {
      case 'do':
        return this.parseDo();
      case 'break':
      case 'continue':
        this.nextToken();
        this.advanceAfterBlockEnd(tok.value);
        return new LoopControl(tok.lineno, tok.colno, tok.value);
      case 'materialization':
        return this.parseMaterialization();
      case 'test':
        return this.parseNamedMacro('test', 'test_');
      case 'snapshot':
        return this.parseNamedMacro('snapshot', 'snapshot_');
      case 'docs':
        return this.parseDocs();
      default:
        return super.parseStatement();
    }
  }

  parseDo(): Loose {
    const tok = this.nextToken();
    const expr = this.parseExpression();
    this.advanceAfterBlockEnd(tok.value);
    return new Do(tok.lineno, tok.colno, expr);
  }

  /** `{% materialization name, adapter='x' %}` or `{% materialization name, default %}`. */
  parseMaterialization(): Loose {
    const tok = this.nextToken();
    const name = this.expect(lexer.TOKEN_SYMBOL).value as string;
    let adapter = 'default';
    while (this.skip(lexer.TOKEN_COMMA)) {
      if (this.skipSymbol('default')) continue;
      const key = this.expect(lexer.TOKEN_SYMBOL).value as string;
      if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) this.fail(`materialization ${name}: expected '=' after ${key}`, tok.lineno, tok.colno);
      const value = this.parseExpression();
      if (key === 'adapter') {
        if (!(value instanceof nodes.Literal) || typeof value.value !== 'string') this.fail(`materialization ${name}: adapter must be a string literal`, tok.lineno, tok.colno);
        adapter = value.value as string;
      }
    }
    this.advanceAfterBlockEnd(tok.value);
    const body = this.parseUntilBlocks('endmaterialization');
    this.advanceAfterBlockEnd();
    const symbol = new nodes.Symbol(tok.lineno, tok.colno, `materialization_${name}_${adapter}`);
    const macro = new nodes.Macro(tok.lineno, tok.colno, symbol, new nodes.NodeList(tok.lineno, tok.colno));
    macro.body = body;
    return macro;
  }

  /** `{% test name(args) %}…{% endtest %}` → macro `test_name`; snapshots likewise, without arguments. */
  parseNamedMacro(tag: string, prefix: string): Loose {
    const tok = this.nextToken();
    const name = this.expect(lexer.TOKEN_SYMBOL).value as string;
    const args = this.peekToken().type === lexer.TOKEN_LEFT_PAREN ? this.parseSignature() : new nodes.NodeList(tok.lineno, tok.colno);
    this.advanceAfterBlockEnd(tok.value);
    const body = this.parseUntilBlocks(`end${tag}`);
    this.advanceAfterBlockEnd();
    const macro = new nodes.Macro(tok.lineno, tok.colno, new nodes.Symbol(tok.lineno, tok.colno, prefix + name), args);
    macro.body = body;
    return macro;
  }

  /** Docs bodies are markdown kept verbatim, so they are cut from the source, not tokenized. */
  parseDocs(): Loose {
    const tok = this.nextToken();
    const name = this.expect(lexer.TOKEN_SYMBOL).value as string;
    this.advanceAfterBlockEnd(tok.value);
    const m = this.tokens._extractRegex(/([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/);
    if (!m) this.fail(`docs block '${name}' has no {% enddocs %}`, tok.lineno, tok.colno);
    return new DocsDef(tok.lineno, tok.colno, name, m[1]);
  }

  /** Jinja parses the iterable without an inline if, so a trailing `if cond` filters items. */
  parseFor(): Loose {
    const forTok = this.peekToken();
    if (!this.skipSymbol('for')) return super.parseFor();
    const node = new nodes.For(forTok.lineno, forTok.colno);
    node.name = this.parsePrimary();
    if (this.peekToken().type === lexer.TOKEN_COMMA) {
      const first = node.name;
      node.name = new nodes.Array(first.lineno, first.colno);
      node.name.addChild(first);
      while (this.skip(lexer.TOKEN_COMMA)) node.name.addChild(this.parsePrimary());
    }
    if (!this.skipSymbol('in')) this.fail('for: expected "in" keyword', forTok.lineno, forTok.colno);
    node.arr = this.parseOr();
    node.cond = this.skipSymbol('if') ? this.parseExpression() : null;
    this.skipSymbol('recursive');
    this.advanceAfterBlockEnd(forTok.value);
    node.body = this.parseUntilBlocks('endfor', 'else');
    if (this.skipSymbol('else')) {
      this.advanceAfterBlockEnd('else');
      node.else_ = this.parseUntilBlocks('endfor');
    }
    this.advanceAfterBlockEnd();
    return node;
  }

  /** Targets may be names, `ns.attr`, or several names to unpack into. */
  parseSet(): Loose {
    const tag = this.nextToken();
    const node = new nodes.Set(tag.lineno, tag.colno, []);
    do {
      node.targets.push(this.parsePrimary());
    } while (this.skip(lexer.TOKEN_COMMA));
    if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      node.value = this.parseExpression();
      if (this.peekToken().type === lexer.TOKEN_COMMA) {
        const tuple = new nodes.Array(node.value.lineno, node.value.colno, [node.value]);
        while (this.skip(lexer.TOKEN_COMMA)) tuple.addChild(this.parseExpression());
        node.value = tuple;
      }
      this.advanceAfterBlockEnd(tag.value);
    } else if (this.skip(lexer.TOKEN_BLOCK_END)) {
      node.body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
      node.value = null;
      this.advanceAfterBlockEnd();
    } else {
      this.fail('set: expected = or block end', tag.lineno, tag.colno);
    }
    return node;
  }

  /** Accepts Python's `{% if x: %}`, which dbt's own macros contain. */
  parseIf(): Loose {
    const tag = this.peekToken();
    if (!(this.skipSymbol('if') || this.skipSymbol('elif') || this.skipSymbol('elseif'))) return super.parseIf();
    const node = new nodes.If(tag.lineno, tag.colno);
    node.cond = this.parseExpression();
    this.skip(lexer.TOKEN_COLON);
    this.advanceAfterBlockEnd(tag.value);
    node.body = this.parseUntilBlocks('elif', 'elseif', 'else', 'endif');
    const tok = this.peekToken();
    switch (tok && tok.value) {
      case 'elseif':
      case 'elif':
        node.else_ = this.parseIf();
        break;
      case 'else':
        this.advanceAfterBlockEnd();
        node.else_ = this.parseUntilBlocks('endif');
        this.advanceAfterBlockEnd();
        break;
      case 'endif':
        node.else_ = null;
        this.advanceAfterBlockEnd();
        break;
      default:
        this.fail('if: expected elif, else, or endif, got end of file');
    }
    return node;
  }

  /** Subscripts may be slices; dot and subscript lookups are told apart (getattr vs getitem). */
  parsePostfix(node: Loose): Loose {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        this.nextToken();
        node = this.parseSubscript(node, tok);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (val.type !== lexer.TOKEN_SYMBOL && val.type !== lexer.TOKEN_INT) this.fail(`expected name as lookup value, got ${val.value}`, val.lineno, val.colno);
        const key = new nodes.Literal(val.lineno, val.colno, val.type === lexer.TOKEN_INT ? Number(val.value) : val.value);
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, key);
        node.attr = true;
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return node;
  }

  parseSubscript(target: Loose, tok: Loose): Loose {
    const parts: Loose[] = [null, null, null];
    let part = 0;
    let isSlice = false;
    for (;;) {
      if (this.skip(lexer.TOKEN_RIGHT_BRACKET)) break;
      if (this.skip(lexer.TOKEN_COLON)) {
        isSlice = true;
        part++;
        if (part > 2) this.fail('slice: too many components', tok.lineno, tok.colno);
        continue;
      }
      if (parts[part] !== null) this.fail('subscript: expected ] or :', tok.lineno, tok.colno);
      parts[part] = this.parseExpression();
    }
    if (isSlice) return new Slice(tok.lineno, tok.colno, target, parts[0], parts[1], parts[2]);
    if (parts[0] === null) this.fail('subscript: empty []', tok.lineno, tok.colno);
    return new nodes.LookupVal(tok.lineno, tok.colno, target, parts[0]);
  }

  /** `x is name`, `x is name(args)`, `x is name arg`; `none`, `true`, `false` are test names here. */
  parseIs(): Loose {
    let node = this.parseCompare();
    while (this.skipSymbol('is')) {
      const negate = this.skipSymbol('not');
      const nameTok = this.nextToken();
      const isName = nameTok.type === lexer.TOKEN_SYMBOL || nameTok.type === lexer.TOKEN_NONE || nameTok.type === lexer.TOKEN_BOOLEAN;
      if (!isName) this.fail(`expected a test name after 'is', got ${nameTok.value}`, nameTok.lineno, nameTok.colno);
      let args: Loose[] = [];
      const next = this.peekToken();
      if (next.type === lexer.TOKEN_LEFT_PAREN) {
        args = this.parseSignature().children;
      } else if (this.startsTestArgument(next)) {
        args = [this.parsePrimary()];
      }
      node = new Test(nameTok.lineno, nameTok.colno, node, nameTok.value, new nodes.NodeList(nameTok.lineno, nameTok.colno, args));
      if (negate) node = new nodes.Not(node.lineno, node.colno, node);
    }
    return node;
  }

  startsTestArgument(tok: Loose): boolean {
    switch (tok.type) {
      case lexer.TOKEN_STRING:
      case lexer.TOKEN_INT:
      case lexer.TOKEN_FLOAT:
      case lexer.TOKEN_LEFT_BRACKET:
      case lexer.TOKEN_LEFT_CURLY:
      case lexer.TOKEN_NONE:
      case lexer.TOKEN_BOOLEAN:
        return true;
      case lexer.TOKEN_SYMBOL:
        return !TEST_ARG_STOP.has(tok.value as string);
      default:
        return false;
    }
  }

  /** Call arguments, including `*args` and `**kwargs` spreads. */
  parseSignature(tolerant?: boolean, noParens?: boolean): Loose {
    let tok = this.peekToken();
    if (!noParens && tok.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail('expected arguments', tok.lineno, tok.colno);
    }
    if (tok.type === lexer.TOKEN_LEFT_PAREN) tok = this.nextToken();
    const args = new nodes.NodeList(tok.lineno, tok.colno);
    const kwargs = new nodes.KeywordArgs(tok.lineno, tok.colno);
    let checkComma = false;
    for (;;) {
      tok = this.peekToken();
      if (!noParens && tok.type === lexer.TOKEN_RIGHT_PAREN) {
        this.nextToken();
        break;
      } else if (noParens && tok.type === lexer.TOKEN_BLOCK_END) {
        break;
      }
      if (checkComma && !this.skip(lexer.TOKEN_COMMA)) {
        this.fail('expected comma between arguments', tok.lineno, tok.colno);
      } else if (checkComma && !noParens && this.peekToken().type === lexer.TOKEN_RIGHT_PAREN) {
        continue; // trailing comma
      }
      if (this.skipValue(lexer.TOKEN_OPERATOR, '**')) {
        args.addChild(new StarKwargs(tok.lineno, tok.colno, this.parseExpression()));
      } else if (this.skipValue(lexer.TOKEN_OPERATOR, '*')) {
        args.addChild(new StarArgs(tok.lineno, tok.colno, this.parseExpression()));
      } else {
        const arg = this.parseExpression();
        if (this.skipValue(lexer.TOKEN_OPERATOR, '=')) kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
        else args.addChild(arg);
      }
      checkComma = true;
    }
    if (kwargs.children.length) args.addChild(kwargs);
    return args;
  }
}
