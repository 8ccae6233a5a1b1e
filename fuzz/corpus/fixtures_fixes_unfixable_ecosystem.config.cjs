// No fix: the literal sits before PORTS exists (temporal dead zone), and a string with escapes.
const shared = { env: { PORT: 5588 } };
const PORTS = {
  API: 5588, // API
  UI: 5589, // UI
};

module.exports = {
  PORTS,
  apps: [
    { name: 'api', script: 'a.js', ...shared },
    { name: 'ui', script: 'vite', args: 'say \'hi\' --port 5589' },
  ],
};
