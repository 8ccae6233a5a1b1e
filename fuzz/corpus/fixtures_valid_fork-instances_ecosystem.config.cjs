// Three fork-mode workers, each on its own port: 5595, 5596, 5597 (increment_var).
const PORTS = {
  WORKER: 5595, // first worker; the next two take 5596 and 5597
  HEALTH: 5598, // supervisor health check
};

module.exports = {
  PORTS,
  apps: [
    {
      name: 'render-worker',
      script: 'worker.js',
      instances: 3,
      exec_mode: 'fork',
      increment_var: 'PORT',
      env: { PORT: PORTS.WORKER },
    },
    {
      name: 'render-supervisor',
      script: 'supervisor.js',
      env: { HEALTH_PORT: PORTS.HEALTH },
    },
  ],
};
