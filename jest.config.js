// Jest runs the TypeScript sources directly as ES modules through @swc/jest.
// Tests talk to real processes (xmllint, the built CLI), so they get generous timeouts.

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  // Two test files at a time. Jest's default on a 2-core machine is one (cores - 1), yet most suites spend their time
  // waiting on the processes they start (CLI, serve, watch, redis-server): two at a time halved the full run there
  // (8.5 min, 1009 s of suite time). Every suite keeps its own key prefix, temp folders and ports.
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};
