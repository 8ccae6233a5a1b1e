// Cluster mode: every worker shares the one port, so a single entry is enough.
const PORTS = {
  API: 5585 // public API, load-balanced across workers
};

module.exports = {
  PORTS,
  apps: [{
    name: 'billing-api',
    script: 'dist/main.js',
    instances: 'max',
    exec_mode: 'cluster',
    env: { PORT: PORTS.API },
    env_production: { PORT: PORTS.API, NODE_ENV: 'production' },
  }],
};
