// Errors carry the template file, the line, and the macro; raise_compiler_error keeps its message.
import { describe, expect, it } from 'vitest';
import { CompilerError, createJinjaEnvironment, JinjaRenderError, JinjaSyntaxError } from '../../src/jinja/index.js';

describe('errors', () => {
  it('reports raise_compiler_error with file, line and macro, keeping the CompilerError as cause', async () => {
    const env = createJinjaEnvironment();
    env.macros.addFile({ path: 'macros/check.sql', packageName: 'proj', kind: 'root', source: '{% macro check(x) %}\n{% if x is none %}\n{{ exceptions.raise_compiler_error("x must be set") }}\n{% endif %}\n{% endmacro %}' });
    const e = await env.render({ source: 'select 1\n{{ check(none) }}', name: 'models/m.sql' }, {}).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(JinjaRenderError);
    const err = e as JinjaRenderError;
    expect(err.template).toBe('macros/check.sql');
    expect(err.line).toBe(3);
    expect(err.macro).toBe('check');
    expect(err.cause).toBeInstanceOf(CompilerError);
    expect(err.message).toBe('Compilation Error in macros/check.sql, line 3 (in macro check): x must be set');
  });

  it('reports errors outside macros against the rendered file', () => {
    const env = createJinjaEnvironment();
    const e = (() => {
      try {
        env.parse({ source: 'a\nb\n{{ exceptions.raise_compiler_error("boom") }}', name: 'models/n.sql' });
      } catch (err) {
        return err;
      }
    })() as JinjaRenderError;
    expect(e).toBeInstanceOf(JinjaRenderError);
    expect(e.template).toBe('models/n.sql');
    expect(e.line).toBe(3);
    expect(e.detail).toBe('boom');
  });

  it('reports syntax errors with file and line', () => {
    const env = createJinjaEnvironment();
    expect(() => env.compile('ok\n{% if %}', 'models/bad.sql')).toThrow(JinjaSyntaxError);
    expect(() => env.compile('ok\n{% endfor %}', 'models/bad.sql')).toThrow(/models\/bad\.sql, line 2/);
  });

  it('routes log, print and warn to the callback', () => {
    const lines: [string, string][] = [];
    const env = createJinjaEnvironment({ onLog: (m, level) => lines.push([m, level]) });
    env.parse({ source: "{{ log('a') }}{{ log('b', info=True) }}{% do print('c', 1) %}{% do exceptions.warn('d') %}", name: 'm' });
    expect(lines).toEqual([['a', 'debug'], ['b', 'info'], ['c 1', 'info'], ['d', 'warn']]);
  });
});
