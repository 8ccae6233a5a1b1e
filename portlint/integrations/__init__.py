"""What portlint talks to besides a terminal: the language server and the live PortOS API."""
