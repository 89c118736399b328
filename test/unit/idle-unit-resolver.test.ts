// The unit resolver reaches containers only through its provider: a compose depends_on names a service,
// resolved from the provider's listing to that service's container in the same project (the first by
// name when it has several), never by a call around the provider to the engine.
import { describe, expect, it } from 'vitest';
import type { Seen } from '../../src/core/idle/listing.js';
import type { ContainerProvider } from '../../src/core/idle/provider.js';
import { UnitResolver } from '../../src/core/idle/unit-resolver.js';

const compose = (project: string, service: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service });

function provider(seen: Seen[]) {
  const calls: string[] = [];
  const byName = new Map(seen.map((s) => [s.name, s]));
  const p = {
    // No engine: a call around the provider fails the test.
    get engine(): never {
      throw new Error('the resolver went around its provider to the engine');
    },
    inspect: async (name: string) => {
      calls.push(`inspect ${name}`);
      const s = byName.get(name);
      if (!s) throw Object.assign(new Error(`no such container: ${name}`), { code: 'NOT_FOUND' });
      return { Id: s.id, Name: `/${s.name}`, Config: { Labels: s.labels }, State: { Running: s.running, Paused: false } };
    },
    list: async () => (calls.push('list'), seen),
  };
  return { provider: p as unknown as ContainerProvider, calls };
}

const seen = (name: string, labels: Record<string, string>): Seen => ({ id: `id-${name}`, name, labels, running: false, paused: false, awake: false, status: 'Exited (0)' });

describe('the unit resolver', () => {
  it("resolves a compose service dependency to its project's container through the provider's listing", async () => {
    const { provider: p, calls } = provider([
      seen('shop-web-1', { ...compose('shop', 'web'), 'com.docker.compose.depends_on': 'db:service_started:false' }),
      seen('shop-db-2', compose('shop', 'db')),
      seen('shop-db-1', compose('shop', 'db')),
      seen('other-db-1', compose('other', 'db')),
    ]);
    const units = await new UnitResolver(p).graph('shop-web-1');
    expect(units.get('shop-web-1')!.deps).toEqual([{ name: 'shop-db-1', condition: 'service_started' }]);
    expect(calls).toEqual(['inspect shop-web-1', 'list', 'inspect shop-db-1']);
  });

  it('names the service and project of a dependency that has no container', async () => {
    const { provider: p } = provider([seen('shop-web-1', { ...compose('shop', 'web'), 'com.docker.compose.depends_on': 'cache:service_started:false' })]);
    await expect(new UnitResolver(p).graph('shop-web-1')).rejects.toThrow('container shop-web-1 depends on service cache of project shop, which has no container');
  });
});
