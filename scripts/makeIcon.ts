// Draws the app icon, build/icon.png (512 x 512 RGBA), with no image libraries and no network:
// a rounded square with a diagonal gradient and a "G" ring. Run it again after changing it:
//   node scripts/makeIcon.ts
// electron-builder makes the .ico and .icns from this PNG; 512 px is what macOS requires.
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 512;
/** Samples per pixel along each axis, for smooth (anti-aliased) edges. */
const SUPERSAMPLE = 4;

type Rgba = [number, number, number, number];

const mix = (a: number, b: number, t: number): number => a + (b - a) * t;

/** The colour at a point, in units where the icon spans 0..1 on both axes. */
function colourAt(x: number, y: number): Rgba {
  // Rounded square with a margin, as desktop icon guidelines expect.
  const margin = 0.06;
  const radius = 0.2;
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - margin - radius), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - margin - radius), 0);
  if (Math.hypot(qx, qy) > radius) return [0, 0, 0, 0];

  // The "G": a ring open on the upper right, and a bar into the centre.
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  const angle = Math.atan2(-dy, dx); // 0 = east, counter-clockwise, y pointing up
  const inRing = r > 0.2 && r < 0.3 && !(angle > 0.05 && angle < Math.PI / 3);
  const inBar = dy > -0.045 && dy < 0.045 && dx > 0.02 && dx < 0.3;
  if (inRing || inBar) return [244, 247, 250, 255];

  const t = (x + y) / 2; // diagonal gradient, deep blue to teal
  return [
    Math.round(mix(22, 16, t)),
    Math.round(mix(58, 150, t)),
    Math.round(mix(120, 140, t)),
    255,
  ];
}

function render(): Uint8Array {
  // Each row starts with PNG filter type 0 (none).
  const rowBytes = 1 + SIZE * 4;
  const raw = new Uint8Array(rowBytes * SIZE);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      // Premultiplied sums, so transparent samples do not darken the edges.
      let red = 0;
      let green = 0;
      let blue = 0;
      let opacity = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const [r, g, b, a] = colourAt(
            (px + (sx + 0.5) / SUPERSAMPLE) / SIZE,
            (py + (sy + 0.5) / SUPERSAMPLE) / SIZE,
          );
          red += (r * a) / 255;
          green += (g * a) / 255;
          blue += (b * a) / 255;
          opacity += a;
        }
      }
      const alpha = opacity / (SUPERSAMPLE * SUPERSAMPLE);
      const offset = py * rowBytes + 1 + px * 4;
      const unpremultiply = (sum: number): number =>
        alpha === 0 ? 0 : Math.round((sum / (SUPERSAMPLE * SUPERSAMPLE) / alpha) * 255);
      raw[offset] = unpremultiply(red);
      raw[offset + 1] = unpremultiply(green);
      raw[offset + 2] = unpremultiply(blue);
      raw[offset + 3] = Math.round(alpha);
    }
  }
  return raw;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodeIcon(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // colour type: RGBA
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(render(), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const output = new URL('../build/icon.png', import.meta.url);
writeFileSync(output, encodeIcon());
console.log(`Wrote ${output.pathname}`);
