import { describe, expect, it } from 'vitest';
import { dockerAction, eventFiltersFor, flavorOf, untilFor } from '../../src/core/engine/podman.js';

describe("telling Podman apart and its events' names", () => {
  it("is podman when a /version component is Podman's, docker otherwise", () => {
    expect(flavorOf({ Components: [{ Name: 'Podman Engine' }, { Name: 'Conmon' }], Platform: { Name: 'linux/amd64/debian-12' } })).toBe('podman');
    expect(flavorOf({ Components: [{ Name: 'Engine' }, { Name: 'containerd' }], Platform: { Name: 'Docker Engine - Community' } })).toBe('docker');
    expect(flavorOf({})).toBe('docker');
  });
  it("asks Podman's event filter in its own names and hands on docker's", () => {
    expect(eventFiltersFor('podman', { type: ['container'], event: ['create', 'start', 'die', 'destroy'] })).toEqual({ type: ['container'], event: ['create', 'start', 'died', 'remove'] });
    expect(eventFiltersFor('docker', { event: ['die', 'destroy'] })).toEqual({ event: ['die', 'destroy'] });
    expect(dockerAction('podman', 'container', 'remove')).toBe('destroy');
    expect(dockerAction('podman', 'container', 'died')).toBe('die');
    expect(dockerAction('podman', 'container', 'init')).toBe('init');
    expect(dockerAction('podman', 'image', 'remove')).toBe('remove');
    expect(dockerAction('docker', 'container', 'remove')).toBe('remove');
  });
  it("moves a passed --until to a second from now on Podman only", () => {
    const now = 1_000_000_000_000n;
    expect(untilFor('podman', now - 5n, now)).toBe(now + 1_000_000_000n);
    expect(untilFor('podman', now + 9_000_000_000n, now)).toBe(now + 9_000_000_000n);
    expect(untilFor('docker', now - 5n, now)).toBe(now - 5n);
    expect(untilFor('podman', undefined, now)).toBeUndefined();
  });
});
