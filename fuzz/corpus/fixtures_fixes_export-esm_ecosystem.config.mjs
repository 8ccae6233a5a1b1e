const PORTS = {
  API: 5578, // API
};

export default {
  apps: [{ name: 'api', script: 'a.js', env: { PORT: PORTS.API } }],
};
