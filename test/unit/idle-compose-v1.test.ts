// compose v1 (docker-compose 1.29) writes no com.docker.compose.depends_on label: the compose file is read instead.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeFileDeps, dependsOnOf } from '../../src/core/idle/compose-file.js';
import { idleConfigFor } from '../../src/core/idle/config-file.js';
import { dependsOn } from '../../src/core/topology/graph.js';

/** The labels docker-compose 1.29 puts on a container (no depends_on label). */
const v1Labels = (dir: string, service: string, files = 'docker-compose.yml') => ({
  'com.docker.compose.project': 'shop',
  'com.docker.compose.service': service,
  'com.docker.compose.version': '1.29.2',
  'com.docker.compose.project.working_dir': dir,
  'com.docker.compose.project.config_files': files,
  'com.docker.compose.container-number': '1',
});

function project(yml: string, override?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-v1-'));
  writeFileSync(join(dir, 'docker-compose.yml'), yml);
  if (override) writeFileSync(join(dir, 'docker-compose.override.yml'), override);
  return dir;
}

const YML = `version: "2.4"
services:
  app:
    image: x
    depends_on:
      db:
        condition: service_healthy
      cache:
        condition: service_started
  worker:
    image: x
    depends_on: [app, db]
  db:
    image: x
  cache:
    image: x
`;

describe('compose v1 depends_on from the compose file', () => {
  it('reads the long and the short form, relative to the working dir, as the v2 label would say it', () => {
    const dir = project(YML);
    expect(composeFileDeps(v1Labels(dir, 'app'))).toEqual({ value: 'db:service_healthy:false,cache:service_started:false' });
    expect(composeFileDeps(v1Labels(dir, 'worker'))).toEqual({ value: 'app:service_started:false,db:service_started:false' });
    expect(composeFileDeps(v1Labels(dir, 'db'))).toEqual({ value: '' });
  });

  it('feeds the idle config (waits for db healthy) and topology edges', () => {
    const dir = project(YML);
    const cfg = idleConfigFor('shop_app_1', v1Labels(dir, 'app'));
    expect(cfg.dependsOn).toEqual([
      { ref: 'db', condition: 'service_healthy', compose: true },
      { ref: 'cache', condition: 'service_started', compose: true },
    ]);
    expect(cfg.depsNote).toBeUndefined();
    expect(dependsOn(v1Labels(dir, 'worker'))).toEqual(['app', 'db']);
  });

  it('merges override files in order, later ones winning per dependency, and re-reads a changed file', () => {
    const dir = project(YML, `services:\n  app:\n    depends_on:\n      db:\n        condition: service_started\n`);
    const labels = v1Labels(dir, 'app', 'docker-compose.yml,docker-compose.override.yml');
    expect(composeFileDeps(labels).value).toBe('db:service_started:false,cache:service_started:false');
    writeFileSync(join(dir, 'docker-compose.yml'), YML.replace('condition: service_started', 'condition: service_completed_successfully'));
    utimesSync(join(dir, 'docker-compose.yml'), new Date(), new Date(Date.now() + 5000));
    expect(composeFileDeps(labels).value).toBe('db:service_started:false,cache:service_completed_successfully:false');
  });

  it('says, once per container, when a compose v1 container has no source of dependencies; never for v2 or plain containers', () => {
    const labels = v1Labels('/nonexistent-berth-dir', 'app');
    const note = idleConfigFor('shop_app_1', labels).depsNote;
    expect(note).toBe(
      'shop_app_1: compose project shop, service app: no com.docker.compose.depends_on label (compose v1) and no readable compose file (cannot read /nonexistent-berth-dir/docker-compose.yml: ENOENT); its dependencies are unknown (name them with berth.idle.depends_on)',
    );
    expect(idleConfigFor('shop_app_1', { ...labels, 'berth.idle.depends_on': 'db' }).depsNote).toBeUndefined();
    expect(idleConfigFor('v2', { ...labels, 'com.docker.compose.depends_on': '' }).depsNote).toBeUndefined();
    expect(idleConfigFor('v2-without-label', { ...labels, 'com.docker.compose.version': '2.29.1' }).depsNote).toBeUndefined();
    expect(idleConfigFor('plain', {}).depsNote).toBeUndefined();
  });

  it('dependsOnOf: list, map with and without condition, nothing', () => {
    expect([...dependsOnOf({ depends_on: ['a', 'b'] })]).toEqual([
      ['a', 'service_started'],
      ['b', 'service_started'],
    ]);
    expect([...dependsOnOf({ depends_on: { a: null, b: { condition: 'service_healthy' } } })]).toEqual([
      ['a', 'service_started'],
      ['b', 'service_healthy'],
    ]);
    expect([...dependsOnOf({ image: 'x' })]).toEqual([]);
  });
});
