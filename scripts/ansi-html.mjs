/**
 * ANSI text (as `tmux capture-pane -e -p` prints it) to HTML spans, for scripts/screenshots.mjs.
 * Understands SGR only: reset, bold, dim, inverse, the 8/16 colours, 256-colour and true-colour
 * foreground and background. Other escapes are dropped. Trailing blanks on each line and leading and
 * trailing blank lines are cut, so the rendered block is as small as its content.
 */

/** The 16 basic colours on a dark background (xterm-like, a little softened). */
export const PALETTE = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#d4d4d4', '#5c6370', '#ff7b86', '#b5e890', '#ffd88a', '#82c4ff', '#e09cf5', '#7fd8e3', '#ffffff'];
export const FOREGROUND = '#d4d4d4';
export const BACKGROUND = '#1e1e1e';

/** The colour of xterm's 256-colour index `n`. */
export function color256(n) {
  if (n < 16) return PALETTE[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    return rgb(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
  }
  const g = 8 + (n - 232) * 10;
  return rgb(g, g, g);
}

const rgb = (r, g, b) => `#${[r, g, b].map((v) => Math.max(0, Math.min(255, v)).toString(16).padStart(2, '0')).join('')}`;

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const plain = () => ({ fg: undefined, bg: undefined, bold: false, dim: false, inverse: false });

/** Applies one SGR parameter list (the numbers between `ESC [` and `m`) to `st`. */
function applySgr(st, params) {
  const p = params.length ? params : [0];
  for (let i = 0; i < p.length; i++) {
    const n = p[i];
    if (n === 0) Object.assign(st, plain());
    else if (n === 1) st.bold = true;
    else if (n === 2) st.dim = true;
    else if (n === 22) st.bold = st.dim = false;
    else if (n === 7) st.inverse = true;
    else if (n === 27) st.inverse = false;
    else if (n >= 30 && n <= 37) st.fg = PALETTE[n - 30];
    else if (n >= 90 && n <= 97) st.fg = PALETTE[n - 90 + 8];
    else if (n === 39) st.fg = undefined;
    else if (n >= 40 && n <= 47) st.bg = PALETTE[n - 40];
    else if (n >= 100 && n <= 107) st.bg = PALETTE[n - 100 + 8];
    else if (n === 49) st.bg = undefined;
    else if (n === 38 || n === 48) {
      let c;
      if (p[i + 1] === 5) {
        c = color256(p[i + 2] ?? 0);
        i += 2;
      } else if (p[i + 1] === 2) {
        c = rgb(p[i + 2] ?? 0, p[i + 3] ?? 0, p[i + 4] ?? 0);
        i += 4;
      }
      if (n === 38) st.fg = c;
      else st.bg = c;
    }
  }
}

function style(st) {
  let fg = st.fg;
  let bg = st.bg;
  if (st.inverse) [fg, bg] = [bg ?? BACKGROUND, fg ?? FOREGROUND];
  const css = [];
  if (fg) css.push(`color:${fg}`);
  if (bg) css.push(`background:${bg}`);
  if (st.bold) css.push('font-weight:bold');
  if (st.dim) css.push('opacity:.6');
  return css.join(';');
}

/** The HTML (spans and newlines, no wrapper) for ANSI `text`. */
export function ansiToHtml(text) {
  const lines = text.replace(/\r/g, '').split('\n');
  const st = plain();
  const out = [];
  for (const line of lines) {
    let html = '';
    let visible = ''; // the line's text without escapes, to find where trailing blanks start
    const pieces = [];
    const re = /\x1b\[([0-9;]*)([A-Za-z])|\x1b[^[]|([^\x1b]+)/g;
    for (let m; (m = re.exec(line));) {
      if (m[3] !== undefined) {
        pieces.push({ text: m[3], css: style(st) });
        visible += m[3];
      } else if (m[2] === 'm') applySgr(st, m[1] === '' ? [] : m[1].split(';').map(Number));
    }
    // cut the trailing blanks
    let keep = visible.replace(/ +$/, '').length;
    for (const piece of pieces) {
      if (keep <= 0) break;
      const t = piece.text.slice(0, keep);
      keep -= t.length;
      html += piece.css ? `<span style="${piece.css}">${escapeHtml(t)}</span>` : escapeHtml(t);
    }
    out.push(html);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  while (out.length && out[0] === '') out.shift();
  return out.join('\n');
}

/** A whole page: `title` (optional) above the terminal block, monospace on a dark background. */
export function terminalPage(ansi, title = '') {
  return `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#111}
#term{display:inline-block;margin:0;padding:14px 18px;background:${BACKGROUND};color:${FOREGROUND};
font:14px/1.2 "DejaVu Sans Mono","Liberation Mono",monospace;white-space:pre;border-radius:6px}
#term .bar{color:#8a8a8a;font-size:12px;margin-bottom:8px;display:block}
</style><pre id="term">${title ? `<span class="bar">$ ${escapeHtml(title)}</span>` : ''}${ansiToHtml(ansi)}</pre>`;
}
