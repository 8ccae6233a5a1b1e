// PL402 (unsafe): each literal no entry holds becomes a new PORTS entry with a placeholder comment.
const PORTS = {
  API: 5580, // API
  UI: 5581 // UI, no trailing comma
};

module.exports = {
  PORTS,
  apps: [
    { name: 'api', script: 'a.js', env: { PORT: PORTS.API, WS_PORT: 5582, METRICS_PORT: 5583 } },
    { name: 'ui', script: 'vite', args: '--port 5581' },
    { name: 'admin', script: 'admin.js', port: 5584, ports: { ws: 5585 } },
  ],
};
