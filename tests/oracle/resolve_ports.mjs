// Test-only oracle: load each ecosystem file the way PM2 does (this RUNS the file, which is
// why portlint itself never does this) and print, per app, the ports it really gets.
// Usage: node resolve_ports.mjs FILE... ; prints {file: {apps: [{name, ports}]} | {error}}.
import { load } from './load_config.mjs';

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

function words(args) {
  if (Array.isArray(args)) return args.map(String);
  if (typeof args === 'string') return args.split(/\s+/).filter(Boolean);
  return [];
}

// PM2 merges, for `--env NAME`: deploy.NAME.env < env < port (as env.PORT) < env_NAME.
function environments(app, deploy) {
  const names = new Set(['']);
  for (const key of Object.keys(app)) if (key.startsWith('env_')) names.add(key.slice(4));
  for (const name of Object.keys(deploy || {})) if (deploy[name] && deploy[name].env) names.add(name);
  return [...names].map((name) => {
    const merged = {};
    if (name && deploy && deploy[name] && deploy[name].env) Object.assign(merged, deploy[name].env);
    Object.assign(merged, app.env || {});
    if (app.port !== undefined) merged.PORT = app.port;
    if (name) Object.assign(merged, app[`env_${name}`] || {});
    return merged;
  });
}

function portsOfApp(app, deploy) {
  const ports = [];
  const add = (v) => { const p = toPort(v); if (p !== null) ports.push(p); };
  for (const env of environments(app, deploy)) {
    for (const [envKey, v] of Object.entries(env)) {
      if (isPortKey(envKey)) add(v);
      else if (typeof v === 'string') for (const m of v.matchAll(LOOPBACK)) if (m[1]) add(m[1]);
    }
  }
  const flat = (obj) => { for (const v of Object.values(obj)) (v && typeof v === 'object') ? flat(v) : add(v); };
  if (app.ports && typeof app.ports === 'object') flat(app.ports);
  const args = words(app.args);
  args.forEach((w, i) => {
    if (w === '--port' && i + 1 < args.length) add(args[i + 1]);
    else if (w.startsWith('--port=')) add(w.slice(7));
  });
  for (const field of ['node_args', 'nodeArgs', 'interpreter_args', 'interpreterArgs']) {
    for (const w of words(app[field])) {
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
  } catch (error) {
    out[file] = { error: String(error && error.message || error).split('\n')[0] };
  }
}
process.stdout.write(JSON.stringify(out));
