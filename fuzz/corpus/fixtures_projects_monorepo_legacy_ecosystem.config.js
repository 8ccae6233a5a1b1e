// Old app, excluded from PL4 by the repository's per-file-ignores; still collides with the shop.
module.exports = {
  apps: [{ name: 'legacy', script: 'old.js', env: { PORT: 5570 } }],
};
