// Lists the shop's apps again by requiring its config: the same processes, not a collision.
const shop = require('../shop/ecosystem.config.cjs');

module.exports = { apps: [...shop.apps] };
