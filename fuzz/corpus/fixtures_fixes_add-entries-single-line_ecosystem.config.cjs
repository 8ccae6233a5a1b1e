const PORTS = { API: 5586 }; // API
module.exports = { PORTS, apps: [{ name: 'api', script: 'a.js', env: { PORT: PORTS.API, WS_PORT: 5587 } }] };
