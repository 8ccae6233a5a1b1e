// Test-only: load an ecosystem file the way PM2 does (this RUNS the file, which portlint itself
// never does). Packages from node_modules (dotenv and friends) are stubbed: fixtures ship none.
import { createRequire, Module, builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const stub = () => new Proxy(function () {}, {
  get: (_, key) => (key === 'then' ? undefined : stub()),
  apply: () => stub(),
});
const originalRequire = Module.prototype.require;
Module.prototype.require = function (request) {
  const bare = !request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:');
  if (bare && !builtinModules.includes(request)) return stub();
  return originalRequire.call(this, request);
};

// What PM2 gets from the file: a JSON file evaluated as "(" + text + ")", an ES module's default
// export (or its namespace), a CommonJS module's exports.
export async function load(relative) {
  const file = resolve(relative);
  if (/\.json5?$/i.test(file)) return new Function(`return (${readFileSync(file, 'utf8')}\n)`)();
  if (/\.mjs$/i.test(file)) { const mod = await import(pathToFileURL(file).href); return mod.default ?? { ...mod }; }
  return createRequire(pathToFileURL(file).href)(file);
}
