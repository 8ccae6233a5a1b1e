const PORTS = { API: 5577 }; // API
module.exports = { apps: [{ name: 'api', script: 'a.js', env: { PORT: PORTS.API } }] };
