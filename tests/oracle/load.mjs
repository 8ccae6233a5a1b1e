// Test-only: load an ecosystem file the way PM2 does (this RUNS the file, which is why portlint
// itself never does this). Packages from node_modules (dotenv and friends) are stubbed: fixtures
// ship no node_modules.
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

// Files PM2 would refuse although they hold apps (real path -> why), for the oracles to mark.
export const refused = {};

export async function load(relative) {
  const file = resolve(relative);
  if (/\.json5?$/i.test(file)) return new Function(`return (${readFileSync(file, 'utf8')}\n)`)();
  if (/\.mjs$/i.test(file)) {
    const mod = await import(pathToFileURL(file).href);
    if (mod.apps || mod.pm2 || !mod.default) return mod;
    // PM2 require()s it and never unwraps the default export: it starts nothing ("No script path");
    // the apps the file means are still given, marked
    refused[file] = 'export default';
    return mod.default;
  }
  return createRequire(pathToFileURL(file).href)(file);
}
