const PORTS = {
  API: 5576, // API
};

module.exports = {
  // the apps
  apps: [{ name: 'api', script: 'a.js', env: { PORT: PORTS.API } }],
};
