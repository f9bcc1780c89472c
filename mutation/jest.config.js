/** The jest configuration of `npm run mutation`: the project's, limited to the unit tests of the module being mutated
 * (MUTATION_MODULE, set by scripts/mutation.js; mutation/modules.js lists them), or of every module without it. */
const base = require('../jest.config.js');
const modules = require('./modules.js');

const tests = process.env.MUTATION_MODULE ? modules[process.env.MUTATION_MODULE] : Object.values(modules).flat();
if (tests === undefined) throw new Error(`MUTATION_MODULE=${process.env.MUTATION_MODULE} is not in mutation/modules.js`);

module.exports = {
  ...base,
  rootDir: '..',
  testMatch: [...new Set(tests)].map((file) => `<rootDir>/${file}`),
};
