// The PortOS allocation table from the port policy, written as an ecosystem file.
// =============================================================================
// Port Configuration - All ports defined here as single source of truth
// =============================================================================
const PORTS = {
  CLIENT: 5554, // Vite dev server (React UI)
  SERVER: 5555, // Main API server
  CDP: 5556, // Chrome DevTools Protocol
  BROWSER_HEALTH: 5557, // Browser health check API
  COS: 5558, // CoS Agent Runner (isolated process)
  AUTOFIXER: 5559, // Autofixer daemon API
  AUTOFIXER_UI: 5560, // Autofixer web UI
  database: {
    db: 5561, // PostgreSQL + pgvector (Docker, memory system)
  },
};

module.exports = {
  PORTS,
  apps: [
    { name: 'portos-client', script: 'node_modules/.bin/vite', cwd: './client', env: { VITE_PORT: PORTS.CLIENT } },
    { name: 'portos-server', script: 'server/index.js', env: { PORT: PORTS.SERVER, NODE_ENV: 'development' } },
    { name: 'portos-browser', script: 'browser/index.js', env: { CDP_PORT: PORTS.CDP, PORT: PORTS.BROWSER_HEALTH } },
    { name: 'portos-cos', script: 'server/cos-runner.js', env: { PORT: PORTS.COS } },
    { name: 'portos-autofixer', script: 'autofixer/server.js', env: { PORT: PORTS.AUTOFIXER } },
    { name: 'portos-autofixer-ui', script: 'autofixer/ui.js', env: { PORT: PORTS.AUTOFIXER_UI } },
    { name: 'portos-db', script: 'docker', args: 'compose up db', ports: PORTS.database },
  ],
};
