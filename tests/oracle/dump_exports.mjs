// Test-only oracle: load each ecosystem file the way PM2 does (this RUNS the file, which is why
// portlint itself never does this) and print what it exports, as JSON that keeps what JSON cannot
// say: undefined, functions, NaN and Infinity, and cycles. Bare packages are stubbed (fixtures ship
// no node_modules). Usage: node dump_exports.mjs < files.json ; prints {file: {exports} | {error}}.
import { readFileSync } from 'node:fs';

import { load } from './load.mjs';

function plain(value, seen = new Set()) {
  if (value === undefined) return { $undefined: true };
  if (typeof value === 'function') return { $function: true };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return { $cycle: true };
  seen.add(value);
  let out;
  if (Array.isArray(value)) out = value.map((v) => plain(v, seen));
  else {
    out = {};
    for (const key of Object.keys(value)) out[key] = plain(value[key], seen);
  }
  seen.delete(value);
  return out;
}

const files = JSON.parse(readFileSync(0, 'utf8'));
const out = {};
for (const file of files) {
  try {
    out[file] = { exports: plain(await load(file)) };
  } catch (error) {
    out[file] = { error: String((error && error.message) || error).split('\n')[0] };
  }
}
process.stdout.write(JSON.stringify(out));
