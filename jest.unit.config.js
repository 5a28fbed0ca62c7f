// `npm run test:unit`: the tests that need no Redis, no built CLI and no other process (test/unit/), so they run
// in seconds without jest's global setup (which starts the suite's redis-server). `npm test` runs them too.
import base from './jest.config.js';

const { globalSetup: _setup, globalTeardown: _teardown, ...shared } = base;

export default { ...shared, testMatch: ['<rootDir>/test/unit/**/*.test.ts'], testTimeout: 20000 };
