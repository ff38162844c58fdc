// The tray icon, drawn in code: a small PNG of the app icon's motif (a rounded square with a
// "G" ring), so the packaged app needs no image file outside app.asar for it. 32 px covers the
// tray on every platform (Electron scales it; macOS wants 16 pt, 32 px at 2x).
import { crc32, deflateSync } from 'node:zlib';

export const TRAY_ICON_SIZE = 32;

type Rgba = readonly [number, number, number, number];

const BACKGROUND: Rgba = [0x2f, 0x6f, 0xeb, 255];
const RING: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** The colour at a point of the unit square (y downwards). */
function colourAt(x: number, y: number): Rgba {
  const radius = 0.22;
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - radius), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - radius), 0);
  if (Math.hypot(qx, qy) > radius) return CLEAR;
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  const angle = Math.atan2(-dy, dx);
  const inRing = r > 0.18 && r < 0.31 && !(angle > 0.05 && angle < Math.PI / 3);
  const inBar = dy > -0.04 && dy < 0.05 && dx > 0 && dx < 0.31;
  return inRing || inBar ? RING : BACKGROUND;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A size x size RGBA PNG, with 4x4 supersampling for smooth edges. */
export function trayIconPng(size: number = TRAY_ICON_SIZE): Buffer {
  if (!Number.isInteger(size) || size < 8 || size > 256) throw new Error('size must be 8..256');
  const samples = 4;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    const row = py * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt(
            (px + (sx + 0.5) / samples) / size,
            (py + (sy + 0.5) / samples) / size,
          );
          const alpha = c[3] / 255;
          sum[0] = (sum[0] ?? 0) + c[0] * alpha;
          sum[1] = (sum[1] ?? 0) + c[1] * alpha;
          sum[2] = (sum[2] ?? 0) + c[2] * alpha;
          sum[3] = (sum[3] ?? 0) + c[3];
        }
      }
      const n = samples * samples;
      const a = (sum[3] ?? 0) / n;
      const at = row + 1 + px * 4;
      // Colour is averaged over the covered samples only (straight, not premultiplied, alpha).
      const cover = a / 255;
      raw[at] = cover === 0 ? 0 : Math.round((sum[0] ?? 0) / n / cover);
      raw[at + 1] = cover === 0 ? 0 : Math.round((sum[1] ?? 0) / n / cover);
      raw[at + 2] = cover === 0 ? 0 : Math.round((sum[2] ?? 0) / n / cover);
      raw[at + 3] = Math.round(a);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
