// AST nodes this package adds to nunjucks' set; the compiler dispatches on their type names.
import { nodes } from './internals.js';
import type { Loose } from './internals.js';

/** `{% do expr %}`: evaluate, discard. */
export const Do: Loose = nodes.Node.extend('Do', { fields: ['expr'] });
/** `{% break %}` / `{% continue %}`. */
export const LoopControl: Loose = nodes.Node.extend('LoopControl', { fields: ['kind'] });
/** `x[start:stop:step]`. */
export const Slice: Loose = nodes.Node.extend('Slice', { fields: ['target', 'start', 'stop', 'step'] });
/** `*args` in a call. */
export const StarArgs: Loose = nodes.Node.extend('StarArgs', { fields: ['value'] });
/** `**kwargs` in a call. */
export const StarKwargs: Loose = nodes.Node.extend('StarKwargs', { fields: ['value'] });
/** `x is test(args)` with the test named at parse time. */
export const Test: Loose = nodes.Node.extend('Test', { fields: ['target', 'name', 'args'] });
/** `{% docs name %}text{% enddocs %}`: registers raw text in the docs store when the file runs. */
export const DocsDef: Loose = nodes.Node.extend('DocsDef', { fields: ['name', 'text'] });
