/* Headless browser service: DevTools port plus a health endpoint. */
const PORTS = {
	CDP: 5590, // Chrome DevTools Protocol
	HEALTH: 5591, // health check for the browser process
};

module.exports = {
	PORTS,
	apps: [
		{
			name: 'scraper-browser',
			script: 'browser.js',
			env: {
				CDP_PORT: PORTS.CDP,
				PORT: PORTS.HEALTH, // PortOS labels this one "health"
			},
		},
	],
};
