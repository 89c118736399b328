// scripts/ansi-html.mjs: terminal text with SGR escapes (as tmux capture-pane -e prints it) to HTML spans.
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without type declarations
import { ansiToHtml, color256, PALETTE } from '../../scripts/ansi-html.mjs';

const ESC = '\x1b[';

describe('ansiToHtml', () => {
  it('turns bold and a basic colour into styled spans and resets them', () => {
    expect(ansiToHtml(`${ESC}1mNAME${ESC}0m x ${ESC}36mspark${ESC}39m`)).toBe(`<span style="font-weight:bold">NAME</span> x <span style="color:${PALETTE[6]}">spark</span>`);
  });

  it('keeps the style across lines, as a terminal does', () => {
    expect(ansiToHtml(`${ESC}32mup\ndown${ESC}0m`)).toBe(`<span style="color:${PALETTE[2]}">up</span>\n<span style="color:${PALETTE[2]}">down</span>`);
  });

  it('draws inverse as swapped colours, and dim as lower opacity', () => {
    expect(ansiToHtml(`${ESC}7m[1]${ESC}0;2m--${ESC}0m`)).toBe('<span style="color:#1e1e1e;background:#d4d4d4">[1]</span><span style="opacity:.6">--</span>');
  });

  it('reads 256-colour and true-colour parameters', () => {
    expect(color256(16)).toBe('#000000');
    expect(color256(231)).toBe('#ffffff');
    expect(color256(232)).toBe('#080808');
    expect(ansiToHtml(`${ESC}38;5;196mr${ESC}48;2;1;2;3mb`)).toBe('<span style="color:#ff0000">r</span><span style="color:#ff0000;background:#010203">b</span>');
  });

  it('escapes HTML, drops non-SGR escapes, and cuts trailing blanks and blank lines', () => {
    expect(ansiToHtml(`\n<a&b>${ESC}2K   \n  x  ${ESC}1m  ${ESC}0m\n\n\n`)).toBe('&lt;a&amp;b&gt;\n  x');
  });
});
