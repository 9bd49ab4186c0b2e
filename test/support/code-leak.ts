/**
 * A six-digit code turns up by chance inside the 13-digit timestamps and hex ids that log lines,
 * records and events carry, so a leaked code is one that stands alone: not next to another digit
 * or letter.
 */
export function codeLeak(code: string): RegExp {
  if (!/^\d+$/.test(code)) throw new Error(`not a code: ${code}`);
  return new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`);
}
