// The SECRETS_KEY of every test: the in-process app (test/helpers/app.ts) and every process a test
// starts (scripts/test.ts puts it in the environment) seal and open with the same fixed key.
// base64 of the 32 bytes "test-only-key-not-for-production".
export const TEST_SECRETS_KEY = 'dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=';
