// The blog picked its block without looking: 5571 is the shop UI's.
const PORTS = {
  API: 5571, // blog API
  WS: 5572, // live comments
};

module.exports = {
  PORTS,
  apps: [{ name: 'blog-api', script: 'api.js', env: { PORT: PORTS.API, WS_PORT: PORTS.WS } }],
};
