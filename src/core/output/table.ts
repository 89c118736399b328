/** Tables as the docker CLI prints them: no borders, left-aligned, upper-case headings. */
import Table from 'cli-table3';

export function renderTable(head: string[], rows: (string | number)[][], opts: { colAligns?: ('left' | 'right')[] } = {}): string {
  const t = new Table({
    head,
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '   ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(opts.colAligns ? { colAligns: opts.colAligns } : {}),
  });
  for (const r of rows) t.push(r.map(String));
  return (
    t
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n') + '\n'
  );
}
