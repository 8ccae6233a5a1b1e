// BOM, CRLF and tabs are kept byte for byte.
const PORTS = {
	API: 5573, // API
	WS: 5574 // WebSocket
};

module.exports = {
	apps: [
		{ name: "crlf-api", script: "a.js", env: { PORT: 5573, WS_PORT: 5575 } },
	],
};
