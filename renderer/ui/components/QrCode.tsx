// A QR code drawn as SVG from the module matrix: no canvas, no data: URL and no inline markup,
// so it works under the app's strict CSP. The matrix comes from qrcode-generator: a small,
// dependency-free and long-maintained encoder (a QR encoder is too much to write and check by
// hand, and a wrong one produces codes that scan as something else).
import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

/** Four modules of light margin around the code, as the QR standard asks. */
const QUIET_ZONE = 4;

/** qrcode-generator reads each char code as one byte: give it the UTF-8 bytes that way. */
function asByteString(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += String.fromCharCode(byte);
  return out;
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const qr = qrcode(0, 'M');
    qr.addData(asByteString(text), 'Byte');
    qr.make();
    const count = qr.getModuleCount();
    let d = '';
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (qr.isDark(row, col)) d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
      }
    }
    return { size: count + 2 * QUIET_ZONE, path: d };
  }, [text]);
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
