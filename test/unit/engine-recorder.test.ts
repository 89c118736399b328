import { describe, expect, it } from 'vitest';
import { parseHead, RequestParser, splitTarget, stripVersion, type ParsedHead } from '../helpers/engine-recorder.js';

const heads = (chunks: string[]): string[] => {
  const out: ParsedHead[] = [];
  const p = new RequestParser((h) => out.push(h));
  for (const c of chunks) p.push(Buffer.from(c, 'latin1'));
  return out.map((h) => `${h.method} ${h.target}`);
};

describe('the engine recorder parses request heads from a client byte stream', () => {
  it('reads a head only once its blank line arrived', () => {
    expect(parseHead(Buffer.from('GET /_ping HTTP/1.1\r\nHost: docker\r\n'))).toBeUndefined();
    const h = parseHead(Buffer.from('GET /_ping HTTP/1.1\r\nHost: docker\r\nContent-Length: 3\r\n\r\nabc'))!;
    expect([h.method, h.target, h.headers.get('content-length'), h.length]).toEqual(['GET', '/_ping', '3', 56]);
  });

  it('finds keep-alive requests split across chunks, skipping bodies sized by Content-Length', () => {
    const body = '{"Image":"x\r\n\r\nGET /not-a-request HTTP/1.1"}';
    const stream = `GET /v1.45/containers/json?all=1 HTTP/1.1\r\nHost: d\r\n\r\nPOST /v1.45/containers/create HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}GET /v1.45/events?since=1 HTTP/1.1\r\n\r\n`;
    const chunks = [stream.slice(0, 10), stream.slice(10, 70), stream.slice(70, 150), stream.slice(150)];
    expect(heads(chunks)).toEqual(['GET /v1.45/containers/json?all=1', 'POST /v1.45/containers/create', 'GET /v1.45/events?since=1']);
  });

  it('stops at an upgrade (hijacked attach) and at a chunked request body', () => {
    expect(heads(['POST /containers/x/attach?stream=1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nGET /raw HTTP/1.1\r\n\r\n'])).toEqual(['POST /containers/x/attach?stream=1']);
    expect(heads(['POST /build HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nGET /\r\n0\r\n\r\n'])).toEqual(['POST /build']);
  });

  it('splits targets and strips the API version', () => {
    expect(splitTarget('/v1.45/containers/json?all=1&x=2')).toEqual({ path: '/v1.45/containers/json', query: 'all=1&x=2' });
    expect(splitTarget('/_ping')).toEqual({ path: '/_ping', query: '' });
    expect([stripVersion('/v1.45/events'), stripVersion('/v1/events'), stripVersion('/events'), stripVersion('/version')]).toEqual(['/events', '/events', '/events', '/version']);
  });
});
