"""PL0: reading the file."""
from portlint.rule import Rule


class SyntaxError_(Rule):
    """The file is not valid JavaScript, JSON or YAML for its kind.

    portlint parses the file the way PM2 loads it: ``.js``/``.cjs`` as CommonJS, ``.mjs`` as an
    ES module, ``.json`` as the JavaScript expression ``(text)``, ``.yml``/``.yaml`` as YAML. A file
    that does not parse cannot be loaded by PM2, and nothing else in it can be checked. The
    diagnostic sits at the parser's position and gives its reason. Files that cannot be read as
    text at all (binary, not UTF-8, unreadable, too large) are reported under this code too.

    Bad:
        module.exports = {
          apps: [{ name: 'api', env: { PORT: 5570 },, }]
        };

    Good:
        module.exports = {
          apps: [{ name: 'api', script: 'server.js' }]
        };
    """

    code, name, severity = "PL001", "syntax-error", "error"
