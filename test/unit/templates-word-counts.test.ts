import { describe, expect, it } from 'vitest';
import { WordCounts } from '../../src/core/templates/word-counts.js';

describe('templates: counts per first word', () => {
  it('agrees with counting in a Map, words that share a key kept apart', () => {
    // each word is given as the start of a longer text, as the engine gives a template's first word
    const c = new WordCounts();
    const ref = new Map<string, number>();
    let seed = 11;
    const rnd = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
    for (let step = 0; step < 40_000; step++) {
      const n = rnd(step < 15_000 ? 3000 : 300);
      const word = `w${n}`;
      const key = n % 97; // many words per key: every probe meets other words with its key
      if (step < 30_000 && rnd(3) > 0) {
        expect(c.add(`${word} more words ${step}`, word.length, key)).toBe(ref.get(word) ?? 0);
        ref.set(word, (ref.get(word) ?? 0) + 1);
      } else if (ref.has(word)) {
        c.remove(`${word} other words`, word.length, key);
        const k = ref.get(word)! - 1;
        if (k > 0) ref.set(word, k);
        else ref.delete(word);
      } else c.remove(word, word.length, key); // not counted: nothing happens
      expect(c.size).toBe(ref.size);
    }
    for (const [w, k] of ref) expect(c.add(`${w}0 longer`, w.length, Number(w.slice(1)) % 97)).toBe(k);
  });
});
