// Test-only oracle: load each ecosystem file the way PM2 does (this RUNS the file, which portlint
// itself never does) and print what it exports, as JSON: {file: {exports} | {error}}. Functions
// print as "[function]", undefined as "[undefined]"; packages from node_modules are stubbed.
// Usage: node dump_exports.mjs FILE...
import { load } from './load_config.mjs';

function plain(value, seen = new Set()) {
  if (typeof value === 'function') return '[function]';
  if (value === undefined) return '[undefined]';
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  const out = Array.isArray(value) ? value.map((v) => plain(v, seen)) :
    Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, seen)]));
  seen.delete(value);
  return out;
}

const out = {};
for (const file of process.argv.slice(2)) {
  try {
    out[file] = { exports: plain(await load(file)) };
  } catch (error) {
    out[file] = { error: String(error && error.message || error).split('\n')[0] };
  }
}
process.stdout.write(JSON.stringify(out));
