require('dotenv').config();
const path = require('path');

// Ports for the notes app: one contiguous block.
const PORTS = {
  API: 5_580, // REST API (Express)
  UI: 5_581, // Vite dev server
};

const shared = {
  cwd: path.join(__dirname, '..'),
  max_memory_restart: '300M',
};

module.exports = {
  PORTS,
  apps: [
    {
      name: 'notes-api',
      script: 'server/index.js',
      ...shared,
      env: {
        NODE_ENV: 'development',
        PORT: Number(process.env.NOTES_API_PORT) || PORTS.API,
        DB_PORT: process.env.DB_PORT ?? 5432,
      },
      env_production: {
        NODE_ENV: 'production',
        PORT: PORTS.API,
      },
    },
    {
      name: 'notes-ui',
      script: 'node_modules/.bin/vite',
      ...shared,
      args: `--port ${PORTS.UI} --strictPort`,
      env: { VITE_PORT: PORTS.UI, VITE_API: `http://localhost:${PORTS.API}` },
    },
  ],
};
