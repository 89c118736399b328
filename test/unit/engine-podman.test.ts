import { describe, expect, it } from 'vitest';
import { dockerAction, eventFiltersFor, flavorOf, healthcheckOverdue, isPodmanNotFound, listedRunning, noContainerStats, untilFor } from '../../src/core/engine/podman.js';

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
  it('moves a passed --until to a second from now on Podman only', () => {
    const now = 1_000_000_000_000n;
    expect(untilFor('podman', now - 5n, now)).toBe(now + 1_000_000_000n);
    expect(untilFor('podman', now + 9_000_000_000n, now)).toBe(now + 9_000_000_000n);
    expect(untilFor('docker', now - 5n, now)).toBe(now - 5n);
    expect(untilFor('podman', undefined, now)).toBeUndefined();
  });
});

describe('a healthcheck that nothing ran is overdue', () => {
  const started = '2026-01-01T00:00:00Z';
  const t0 = Date.parse(started);
  const view = (o: { log?: string[]; interval?: number; status?: string; running?: boolean; test?: string[] }) => ({
    Id: 'c1',
    State: { Running: o.running ?? true, StartedAt: started, Health: { Status: o.status ?? 'starting', Log: (o.log ?? []).map((End) => ({ End })) } },
    Config: { Healthcheck: { Test: o.test ?? ['CMD-SHELL', 'true'], ...(o.interval !== undefined ? { Interval: o.interval } : {}) } },
  });
  it('after its interval and a second since the start, or since the last check ended', () => {
    expect(healthcheckOverdue(view({ interval: 2e9 }), t0 + 2999)).toBe(false);
    expect(healthcheckOverdue(view({ interval: 2e9 }), t0 + 3000)).toBe(true);
    expect(healthcheckOverdue(view({ interval: 2e9, log: ['2026-01-01T00:00:05Z'] }), t0 + 7500)).toBe(false);
    expect(healthcheckOverdue(view({ interval: 2e9, log: ['2026-01-01T00:00:05Z'] }), t0 + 8000)).toBe(true);
  });
  it("with docker's default interval (30 s) when none is set", () => {
    expect(healthcheckOverdue(view({}), t0 + 30_999)).toBe(false);
    expect(healthcheckOverdue(view({}), t0 + 31_000)).toBe(true);
  });
  it('never for a container that is not running, has no healthcheck or has it disabled', () => {
    expect(healthcheckOverdue(view({ running: false }), t0 + 60_000)).toBe(false);
    expect(healthcheckOverdue(view({ test: ['NONE'] }), t0 + 60_000)).toBe(false);
    expect(healthcheckOverdue({ Id: 'c', State: { Running: true, StartedAt: started } }, t0 + 60_000)).toBe(false);
  });
});

describe('stats Podman cannot give', () => {
  it('are refused for rootless Podman on cgroup v1 only', () => {
    expect(noContainerStats({ host: { security: { rootless: true }, cgroupVersion: 'v1' } })).toMatch(/^rootless Podman on cgroup v1 keeps no per-container counters/);
    expect(noContainerStats({ host: { security: { rootless: true }, cgroupVersion: 'v2' } })).toBeUndefined();
    expect(noContainerStats({ host: { security: { rootless: false }, cgroupVersion: 'v1' } })).toBeUndefined();
    expect(noContainerStats(undefined)).toBeUndefined();
  });
});

describe("Podman's not found", () => {
  it('is a 500 saying no such container, on Podman only', () => {
    expect(isPodmanNotFound('podman', 500, 'container 5eb2 does not exist in database: no such container')).toBe(true);
    expect(isPodmanNotFound('podman', 500, 'something else broke')).toBe(false);
    expect(isPodmanNotFound('docker', 500, 'no such container')).toBe(false);
  });
});

describe("a listed container's state", () => {
  it("counts Podman's stopping (a stop waiting out its timeout) as running, and nothing else new", () => {
    expect(['running', 'stopping', 'exited', 'created', 'paused', 'restarting', 'dead', '', undefined].map((s) => listedRunning(s))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
