/**
 * Parsing cost of one phone number, as a request pays it: `parsePhoneNumber` of the module on a
 * number it has not seen (full metadata, the type and validity checks). Not part of
 * `npm run bench`; run it to see what a change in the parser or in libphonenumber is worth:
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node dist/bench/bench/parse-phone.js
 *
 * Against the unpatched library: `npx patch-package --reverse`, the same command, then
 * `npx patch-package` to patch it again. Flags: --numbers=N per round (20000), --rounds=N (7).
 */
import { parseArgs } from 'node:util';
import { parsePhoneNumber } from '../packages/nestjs-otp-verify/src/phone/phone-number.js';

const { values: flags } = parseArgs({
  options: {
    numbers: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '7' },
  },
});
const NUMBERS = Number(flags.numbers);
const ROUNDS = Number(flags.rounds);

/** Valid mobile numbers of six regions, each region's own patterns, as written by people. */
const REGIONS: [string, (n: string) => string][] = [
  ['GB', (n) => `+44 7400 ${n.slice(-6)}`],
  ['US', (n) => `+1 (415) 2${n.slice(-6, -4)}-${n.slice(-4)}`],
  ['FR', (n) => `+33 6 ${n.slice(-8)}`],
  ['DE', (n) => `+49 151 ${n.slice(-8)}`],
  ['IN', (n) => `+91 98${n.slice(-8)}`],
  ['BR', (n) => `+55 11 9${n.slice(-8)}`],
];

let sequence = 0;
/** Never the same number twice, so that the module's cache of parsed numbers never answers. */
function freshNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(sequence++).padStart(8, '0');
    return REGIONS[i % REGIONS.length][1](n);
  });
}

function round(count: number): { microsPerParse: number; refused: number } {
  const numbers = freshNumbers(count);
  let refused = 0;
  // CPU time, not wall time: on a shared machine, time spent waiting for a core is not parsing.
  const began = process.cpuUsage();
  for (const input of numbers) {
    try {
      parsePhoneNumber(input);
    } catch {
      refused++;
    }
  }
  const { user, system } = process.cpuUsage(began);
  return { microsPerParse: (user + system) / count, refused };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

// One round first, so that the metadata is loaded and the parser compiled by V8.
round(NUMBERS);
const results = Array.from({ length: ROUNDS }, () => round(NUMBERS));
const refused = results.reduce((sum, r) => sum + r.refused, 0);
if (refused > 0) throw new Error(`${refused} numbers were refused: the mix is not all valid`);
console.log(
  `parsePhoneNumber, a number not seen before: ${median(results.map((r) => r.microsPerParse)).toFixed(2)} µs of CPU ` +
    `(median of ${ROUNDS} rounds of ${NUMBERS}; rounds ${results.map((r) => r.microsPerParse.toFixed(2)).join(', ')})`,
);
