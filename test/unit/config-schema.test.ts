import { describe, expect, it } from 'vitest';
import { KEYS, labelTableMarkdown, readmeWithLabels, README_BEGIN, README_END } from '../../src/core/config/schema.js';
import { IDLE_KEYS, LABEL_PREFIX } from '../../src/core/idle/config.js';
import { LABEL } from '../../src/core/proxy/routes.js';
import { parseConfigText } from '../../src/core/idle/config-file.js';

describe('the one configuration schema', () => {
  it('names exactly the keys the idle and proxy parsers read', () => {
    const parsed = new Set<string>([...IDLE_KEYS.map((k) => LABEL_PREFIX + k), ...Object.values(LABEL)]);
    expect(new Set(KEYS.map((k) => k.key))).toEqual(parsed);
  });

  it('is what the file accepts: every schema key passes, another key is refused naming the known ones', () => {
    expect(() => parseConfigText('containers:\n  web:\n    idle:\n      timeout: 5m\n    proxy:\n      host: web.test\n', 'f.yml')).not.toThrow();
    expect(() => parseConfigText('containers:\n  web:\n    idle:\n      timout: 5m\n', 'f.yml')).toThrow(/unknown key "idle.timout" \(known: idle.timeout, idle.stop_method/);
  });

  it('regenerates only the README block between its markers', () => {
    const readme = `# x\n\nbefore\n${README_BEGIN}\nstale\n${README_END}\nafter\n`;
    expect(readmeWithLabels(readme)).toBe(`# x\n\nbefore\n${README_BEGIN}\n${labelTableMarkdown()}\n${README_END}\nafter\n`);
    expect(readmeWithLabels('no block')).toBe('no block');
    expect(labelTableMarkdown().split('\n')).toHaveLength(KEYS.length + 2);
  });
});
