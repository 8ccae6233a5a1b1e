// The one place this repository's ports are defined; other configs require it.
const PORTS = {
  API: 5577, // orders API
  UI: 5578, // orders dashboard
};

module.exports = { PORTS, apps: [] };
