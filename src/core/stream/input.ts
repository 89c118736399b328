/**
 * Reading records from stdin for the subcommands that consume them. Each line
 * is classified on its own: a JSON object is a record, anything else is text.
 * A line is never lost: consumers decide whether text is useful to them and
 * report what is not, once, with its line number.
 */
import { splitLines } from './lines.js';

export type InputLine = { kind: 'record'; lineNo: number; record: Record<string, unknown>; raw: string } | { kind: 'text'; lineNo: number; text: string; truncated: boolean; jsonError?: string };

export function classifyLine(text: string, lineNo: number, truncated = false): InputLine {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return { kind: 'record', lineNo, record: v as Record<string, unknown>, raw: text };
    } catch (err) {
      return { kind: 'text', lineNo, text, truncated, jsonError: (err as Error).message };
    }
  }
  return { kind: 'text', lineNo, text, truncated };
}

export async function* readInputLines(source: AsyncIterable<Buffer | string>, maxBytes?: number): AsyncGenerator<InputLine> {
  let n = 0;
  for await (const line of splitLines(source, maxBytes)) {
    yield classifyLine(line.text, ++n, line.truncated);
  }
}
