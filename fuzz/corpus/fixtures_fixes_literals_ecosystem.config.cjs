// PL401: every literal that a PORTS entry holds becomes a reference, whatever holds it.
const PORTS = {
  API: 5570, // REST API
  UI: 5571, // web UI
  'health-check': 5572, // health endpoint
};

module.exports = {
  PORTS,
  apps: [
    { name: 'api', script: 'a.js', env: { PORT: process.env.PORT || 5570, HEALTH_PORT: '5572' } },
    { name: 'ui', script: 'vite', args: "--host 0.0.0.0 --port 5571", env: { VITE_PORT: 5_571 } },
    { name: 'ui-alt', script: 'vite', args: ['--strictPort', `--port=5571`] },
  ],
};
