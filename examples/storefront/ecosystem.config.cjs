// Storefront: an API server, the Vite dev UI and a headless browser that renders product previews.
// Written the way configs drift, so `portlint examples/storefront` has
// something to say (and `portlint --fix examples/storefront` something to fix).
const PORTS = {
  API: 5570, // REST API
  UI: 5571, // Vite dev server
  CDP: 5573
};

module.exports = {
  PORTS,
  apps: [
    {
      name: 'storefront-api',
      script: 'server/index.js',
      env: { NODE_ENV: 'development', PORT: PORTS.API },
      env_production: { NODE_ENV: 'production', PORT: 5570 }
    },
    {
      name: 'storefront-ui',
      script: 'node_modules/.bin/vite',
      env: { PORT: PORTS.UI }
    },
    {
      name: 'storefront-renderer',
      script: 'renderer/index.js',
      env: { INSPECT_PORT: PORTS.CDP }
    }
  ]
};
