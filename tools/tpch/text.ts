// Comment text for generated rows: random words of the TPC-H text grammar's vocabulary, cut to a random length.

import type { Prng } from './prng.js';

// The vocabulary of the TPC-H spec's text grammar (clause 4.2.2.10): nouns, verbs, adjectives, adverbs, and
// the auxiliaries and prepositions that join them. Words are picked uniformly rather than through the
// grammar's sentence templates: the length and character distributions are what the storage layer sees.
const WORDS: readonly string[] = [
  'foxes', 'ideas', 'theodolites', 'pinto', 'beans', 'instructions', 'dependencies', 'excuses', 'platelets',
  'asymptotes', 'courts', 'dolphins', 'multipliers', 'sauternes', 'warthogs', 'frets', 'dinos', 'attainments',
  'somas', 'braids', 'hockey', 'players', 'frays', 'warhorses', 'dugouts', 'notornis', 'epitaphs', 'pearls',
  'tithes', 'waters', 'orbits', 'gifts', 'sheaves', 'depths', 'sentiments', 'decoys', 'realms', 'pains',
  'grouches', 'escapades', 'packages', 'requests', 'accounts', 'deposits', 'sleep', 'wake', 'are', 'cajole',
  'haggle', 'nag', 'use', 'boost', 'affix', 'detect', 'integrate', 'maintain', 'nod', 'was', 'lose', 'sublate',
  'solve', 'thrash', 'promise', 'engage', 'hinder', 'print', 'x-ray', 'breach', 'eat', 'grow', 'impress',
  'mold', 'poach', 'serve', 'run', 'dazzle', 'snooze', 'doze', 'unwind', 'kindle', 'play', 'hang', 'believe',
  'doubt', 'furious', 'sly', 'careful', 'blithe', 'quick', 'fluffy', 'slow', 'quiet', 'ruthless', 'thin',
  'close', 'dogged', 'daring', 'brave', 'stealthy', 'permanent', 'enticing', 'idle', 'busy', 'regular',
  'final', 'ironic', 'even', 'bold', 'silent', 'sometimes', 'always', 'never', 'furiously', 'slyly',
  'carefully', 'blithely', 'quickly', 'fluffily', 'slowly', 'quietly', 'ruthlessly', 'thinly', 'closely',
  'doggedly', 'daringly', 'bravely', 'stealthily', 'permanently', 'enticingly', 'idly', 'busily',
  'regularly', 'finally', 'ironically', 'evenly', 'boldly', 'silently', 'about', 'above', 'according to',
  'across', 'after', 'against', 'along', 'alongside of', 'among', 'around', 'at', 'atop', 'before',
  'behind', 'beneath', 'beside', 'besides', 'between', 'beyond', 'by', 'despite', 'during', 'except', 'for',
  'from', 'in place of', 'inside', 'instead of', 'into', 'near', 'of', 'on', 'outside', 'over', 'past',
  'since', 'through', 'throughout', 'to', 'toward', 'under', 'until', 'up', 'upon', 'without', 'with',
  'within', 'do', 'may', 'might', 'shall', 'will', 'would', 'can', 'could', 'should', 'ought to', 'must',
  'will have to', 'shall have to', 'could have to', 'should have to', 'must have to', 'need to', 'try to',
];

/** Random words separated by spaces, exactly `length` characters long (the last word may be cut). */
export function randomText(prng: Prng, length: number): string {
  let text = prng.pick(WORDS);
  while (text.length < length) text += ` ${prng.pick(WORDS)}`;
  return text.slice(0, length);
}
