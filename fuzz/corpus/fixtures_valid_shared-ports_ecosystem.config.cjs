const { PORTS } = require('./ecosystem.ports.config.cjs');

module.exports = {
  PORTS,
  apps: [
    { name: 'orders-api', script: 'api.js', env: { PORT: PORTS.API } },
    { name: 'orders-ui', script: 'ui.js', env: { PORT: PORTS.UI } },
  ],
};
