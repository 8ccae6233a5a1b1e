const PORTS = {
  API: 5570, // shop API
  UI: 5571, // shop UI
};

module.exports = {
  PORTS,
  apps: [
    { name: 'shop-api', script: 'api.js', env: { PORT: PORTS.API } },
    { name: 'shop-ui', script: 'ui.js', env: { PORT: PORTS.UI } },
  ],
};
