// Test-only oracle: load each ecosystem file the way PM2 does (this RUNS the file, which is
// why portlint itself never does this) and print, per app, the ports it really gets.
// Usage: node resolve_ports.mjs FILE... ; prints {file: {apps: [{name, ports}]} | {error}}.
import { load, refused } from './load.mjs';

const CONNECTION = ['DB', 'DATABASE', 'PG', 'POSTGRES', 'MYSQL', 'MARIADB', 'MSSQL', 'REDIS', 'MONGO',
  'MONGODB', 'SMTP', 'MAIL', 'EMAIL', 'IMAP', 'POP3', 'AMQP', 'RABBITMQ', 'KAFKA', 'ELASTIC',
  'ELASTICSEARCH', 'MEMCACHED', 'LDAP', 'NATS', 'MQTT', 'CLICKHOUSE', 'INFLUX', 'CASSANDRA', 'NEO4J',
  'MINIO', 'S3'];

// A loopback host:port inside an env string (API_URL: 'http://localhost:5570'): a reference use.
const LOOPBACK = /(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]):(\d*)/gi;

function isPortKey(key) {
  if (/^(PORT|[A-Za-z][A-Za-z0-9_]*_PORT)$/i.test(key)) return true;
  const upper = key.toUpperCase();
  return upper.endsWith('PORT') && CONNECTION.some((p) => upper.startsWith(p));
}

function toPort(value) {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[0-9]+\s*$/.test(value)) return parseInt(value, 10);
  return null;
}

// PM2 7's split of an args string (lib/tools/Config.js): a list passes as it is.
function words(args) {
  if (Array.isArray(args)) return args.map(String);
  if (typeof args !== 'string') return [];
  return (args.match(/[^\s"'=]+="[^"]*"|[^\s"'=]+='[^']*'|"([^"]*)"|'([^']*)'|\S+/g) || [])
    .map((v) => ((v[0] === '"' && v[v.length - 1] === '"') || (v[0] === "'" && v[v.length - 1] === "'")
      ? v.slice(1, -1) : v))
    .filter((v) => v && v.trim());
}

// A script with spaces runs as `bash -c <script>`: its words as the shell splits them.
function shellWords(text) {
  const out = [];
  let word = null;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") { if (ch === "'") quote = ''; else word += ch; continue; }
    if (quote === '"') {
      if (ch === '"') quote = '';
      else if (ch === '\\' && '"\\$`'.includes(text[i + 1] || '')) word += text[++i];
      else word += ch;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n') { if (word !== null) out.push(word); word = null; continue; }
    if (word === null) word = '';
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\' && i + 1 < text.length) word += text[++i];
    else word += ch;
  }
  if (word !== null) out.push(word);
  return out;
}

// PM2's schema turns a numeric string in `port` into a number; 0 (or NaN) is then ignored.
function portField(value) {
  if (typeof value === 'string' && !Number.isNaN(Number(value))) return parseFloat(value);
  return value;
}

// PM2 merges, for `--env NAME`: env < port (as env.PORT) < deploy.NAME.env < env_NAME (it writes the
// deploy env into the object that holds env, so the deploy env beats both).
function environments(app, deploy) {
  const names = new Set(['']);
  for (const key of Object.keys(app)) if (key.startsWith('env_') && key.length > 4) names.add(key.slice(4));
  for (const name of Object.keys(deploy || {})) if (deploy[name] && deploy[name].env) names.add(name);
  return [...names].map((name) => {
    const merged = Object.assign({}, app.env || {});
    const port = portField(app.port);
    if (port) merged.PORT = port;
    if (name && deploy && deploy[name] && deploy[name].env) Object.assign(merged, deploy[name].env);
    if (name) Object.assign(merged, app[`env_${name}`] || {});
    return merged;
  });
}

// PM2's determineExecMode: cluster for a Node.js app with instances 1 or more, 0 or -1.
function clusterMode(app, script) {
  const mode = app.exec_mode || app.execMode;
  if (mode) return /^cluster/.test(mode);
  let n = app.instances;
  if (n === 'max') n = 0;
  if (typeof n === 'string') n = parseInt(n) || 0;
  if (!(n >= 1 || n === 0 || n === -1)) return false;
  const interpreter = app.interpreter || app.exec_interpreter;
  if (interpreter) return /(node|bun)$/.test(interpreter);
  return typeof script === 'string' && !script.includes(' ')
    && !/\.(sh|py|rb|php|pl|coffee|ls)$/.test(script);
}

function portsOfApp(app, deploy) {
  const ports = [];
  const add = (v) => { const p = toPort(v); if (p !== null) ports.push(p); };
  const script = app.script;
  const serve = script === 'serve';
  const shell = typeof script === 'string' && script.includes(' ');
  const args = shell ? shellWords(script) : words(app.args);
  for (const env of environments(app, deploy)) {
    for (const [envKey, v] of Object.entries(env)) {
      if (isPortKey(envKey) && !serve) add(v);
      else if (typeof v === 'string') for (const m of v.matchAll(LOOPBACK)) if (m[1]) add(m[1]);
    }
    // PM2's static server: PM2_SERVE_PORT, else its second argument, else 8080; never PORT
    if (serve) add(env.PM2_SERVE_PORT || (args.length > 1 ? args[1] : 8080));
  }
  const flat = (obj) => { for (const v of Object.values(obj)) (v && typeof v === 'object') ? flat(v) : add(v); };
  if (app.ports && typeof app.ports === 'object') flat(app.ports);
  if (!serve) {
    args.forEach((w, i) => {
      if (w === '--port' && i + 1 < args.length) add(args[i + 1]);
      else if (w.startsWith('--port=')) add(w.slice(7));
    });
  }
  // PM2 keeps one of node_args / interpreter_args / interpreterArgs / nodeArgs; in cluster mode
  // Node's cluster module gives each worker its own inspector port and the configured one is unused
  const nodeArgs = ['node_args', 'interpreter_args', 'interpreterArgs', 'nodeArgs'].map((f) => app[f]).find(Boolean);
  if (!clusterMode(app, script)) {
    for (const w of words(nodeArgs)) {
      const m = /^--inspect(?:-brk)?=(?:(?:\[[^\]]*\]|[^:]*):)?(.*)$/.exec(w);
      if (m) add(m[1]);
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

function appsOf(config) {
  if (Array.isArray(config)) return config;
  if (!config || typeof config !== 'object') return [];
  for (const key of ['apps', 'pm2']) {
    if (Array.isArray(config[key])) return config[key];
    if (config[key] && typeof config[key] === 'object') return [config[key]];
  }
  if ('script' in config || 'name' in config) return [config];
  return [];
}

const out = {};
for (const file of process.argv.slice(2)) {
  try {
    const config = await load(file);
    const deploy = config && !Array.isArray(config) ? config.deploy : undefined;
    out[file] = { apps: appsOf(config).map((app) => ({ name: app && app.name, ports: portsOfApp(app || {}, deploy) })) };
    if (refused[file] && out[file].apps.length) out[file].pm2_refuses = refused[file];
  } catch (error) {
    out[file] = { error: String(error && error.message || error).split('\n')[0] };
  }
}
process.stdout.write(JSON.stringify(out));
