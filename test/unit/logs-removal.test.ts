import { describe, expect, it } from 'vitest';
import { BerthError } from '../../src/core/errors.js';
import { isRemoval } from '../../src/core/logs/container-follow.js';

const engineError = (status: number, message: string) => new BerthError('ENGINE_ERROR', `engine error (${status}): ${message}`, { cause: Object.assign(new Error(message), { statusCode: status }) });
const ID = 'ab12'.repeat(16);

describe('a log read refused because the container is going away is a removal', () => {
  it('takes 404, the 409 of a container marked for removal and the 500 of its removed json log file', () => {
    expect(isRemoval(new BerthError('NOT_FOUND', 'No such container: x'))).toBe(true);
    expect(isRemoval(engineError(409, 'can not get logs from container which is dead or marked for removal'))).toBe(true);
    expect(isRemoval(engineError(500, `open /var/lib/docker/containers/${ID}/${ID}-json.log: no such file or directory`))).toBe(true);
  });
  it('does not take other engine errors, a 500 about another file, or errors that are not berth errors', () => {
    expect(isRemoval(engineError(500, 'open /etc/docker/daemon.json: no such file or directory'))).toBe(false);
    expect(isRemoval(engineError(500, 'configured logging driver does not support reading'))).toBe(false);
    expect(isRemoval(engineError(409, 'container is paused'))).toBe(false);
    expect(isRemoval(new Error('open x-json.log: no such file or directory'))).toBe(false);
    expect(isRemoval(new BerthError('ENGINE_UNREACHABLE', 'cannot reach the engine'))).toBe(false);
  });
});
