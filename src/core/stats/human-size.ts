/**
 * Sizes as the docker CLI prints them (github.com/docker/go-units):
 * `HumanSizeWithPrecision(x, 3)`, decimal units, for network and block I/O;
 * `BytesSize`, binary units with 4 significant digits, for memory.
 */
const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  let v = size;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${Number(v.toPrecision(precision))}${units[i]}`;
}

export const humanSize = (bytes: number) => scaled(bytes, 1000, DECIMAL, 3);
export const bytesSize = (bytes: number) => scaled(bytes, 1024, BINARY, 4);
export const rateSize = (bytesPerSec: number | undefined) => (bytesPerSec === undefined ? '--' : `${humanSize(bytesPerSec)}/s`);
export const percent = (v: number | undefined) => (v === undefined ? '--' : `${v.toFixed(2)}%`);
