// Nested PORTS objects and lower-case keys are fine; values resolve as PORTS.server.api.
const PORTS = {
  server: {
    api: 5586, // GraphQL API
    ws: 5587, // subscriptions (WebSocket)
  },
  web: 5588, // Next.js front end
};

const isProd = process.env.NODE_ENV === 'production';

module.exports = {
  PORTS,
  apps: [
    {
      name: 'shop-api',
      script: 'api.js',
      env: { PORT: PORTS.server.api, WS_PORT: PORTS.server.ws, LOG_LEVEL: isProd ? 'info' : 'debug' },
    },
    {
      name: 'shop-ui',
      script: 'next',
      args: ['start', '--port', String(PORTS.web)],
      env: { PORT: PORTS.web },
    },
  ],
};
