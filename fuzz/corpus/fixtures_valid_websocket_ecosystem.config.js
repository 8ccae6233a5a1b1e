const PORTS = {
  API: 5575, // HTTP API
  WS: 5576 // WebSocket server (chat)
};

module.exports = {
  PORTS,
  apps: [{
    name: "chat-server",
    script: "./dist/server.js",
    env: { PORT: PORTS.API, WS_PORT: PORTS.WS, REDIS_PORT: 6379 }
  }]
};
