// The only module that reads process.env: every setting is parsed and validated once, at boot, and
// a bad value stops the process with one message naming each bad variable.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parseKeyring, SecretBoxError } from './kernel/secret-box.ts';

const Int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });

const ConfigSchema = Type.Object({
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL' }),
  PORT: Int(0, 65535, 3000, 'HTTP port'),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1, description: 'HTTP listen address' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  DATABASE_POOL_MAX: Int(2, 500, 20, 'connections in the pool of one process'),
  BODY_LIMIT_BYTES: Int(1024, 10 * 1024 * 1024, 1024 * 1024, 'largest accepted request body'),
  RATE_LIMIT_PER_SECOND: Int(0, 1_000_000, 250, 'requests per second per API key (0 = off)'),
  RATE_LIMIT_BURST: Int(1, 1_000_000, 500, 'burst size of the per-key token bucket'),
  RATE_LIMIT_SHARED: Type.Boolean({ default: true, description: 'share each key\'s bucket across processes through PostgreSQL (false: per process, N processes allow N times the rate)' }),
  IDEMPOTENCY_TTL_HOURS: Int(24, 24 * 30, 24, 'how long idempotency keys are kept'),
  SHUTDOWN_TIMEOUT_MS: Int(100, 120_000, 8000, 'grace period for in-flight work on SIGTERM'),
  BOOTSTRAP_DEV_MERCHANT: Type.Boolean({ default: true, description: 'create a test-mode merchant on first start' }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'base URL printed at start' })),
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({ default: false, description: 'allow loopback/private webhook targets (local development and tests only)' }),
  WEBHOOK_TIMEOUT_MS: Int(500, 60_000, 10_000, 'total time a webhook receiver gets to answer'),
  WEBHOOK_CONNECT_TIMEOUT_MS: Int(100, 30_000, 3000, 'time to open a connection to a receiver'),
  WEBHOOK_CONCURRENCY: Int(1, 10_000, 200, 'webhook requests in flight per worker process'),
  WEBHOOK_ENDPOINT_CONCURRENCY: Int(1, 1000, 20, 'webhook requests in flight per endpoint, across all workers'),
  WEBHOOK_POLL_MS: Int(50, 60_000, 1000, 'backstop poll interval of the delivery worker (NOTIFY wakes it at once)'),
  COLLECTION_POLL_MS: Int(50, 600_000, 1000, 'how often the collection worker looks for due attempts and processor results'),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'where reminder e-mails go (smtp://user:pass@host:587 or smtps://…:465); unset: kept in the API and written as .eml files under .data/messages' })),
  SMTP_FROM: Type.String({ default: 'Omtanke <no-reply@localhost>', minLength: 3, description: "sender of reminder e-mails; the display name is replaced by the merchant's name" }),
  MESSAGE_POLL_MS: Int(50, 600_000, 1000, 'how often the message worker looks for queued e-mails'),
  PEPPOL_POLL_MS: Int(50, 600_000, 1000, 'how often the Peppol worker looks for e-invoices to send and delayed transmissions to check'),
  MESSAGE_DIR: Type.String({ default: '.data/messages', minLength: 1, description: 'where messages are written as .eml files when SMTP_URL is unset' }),
  DUNNING_POLL_MS: Int(50, 3_600_000, 15_000, 'how often workers sweep for due reminders (the sweep is set-based; a due-date reminder waits for the day\'s payment file or the cut-off anyway)'),
  REFERENCE_RATES_FILE: Type.Optional(Type.String({ minLength: 1, description: 'Riksbanken reference rates for late-payment interest (default config/reference-rates.json; update each 1 January and 1 July)' })),
  PAYMENT_FILE_LIMIT_BYTES: Int(1024, 200 * 1024 * 1024, 20 * 1024 * 1024, 'largest bank file POST /v1/payment-files accepts (100 000 BgMax payments are about 17 MB)'),
  PAYMENT_FILE_BATCH_SIZE: Int(1, 20_000, 2000, 'bank-file payments recorded per transaction by the import job'),
  BILLING_BATCH_SIZE: Int(1, 10_000, 500, 'subscriptions billed per transaction by billing runs and test clock catch-ups'),
  // Checked further by parseKeyring (src/kernel/secret-box.ts); never echoed in an error.
  SECRETS_KEY: Type.String({ minLength: 1, description: 'keys sealing secrets at rest: 32 bytes each, base64 or hex, comma-separated; the first seals' }),
});
export type Config = Static<typeof ConfigSchema>;

const EmbeddedSchema = Type.Object({
  // Unset: a port derived from the data directory's absolute path (src/db/embedded.ts).
  EMBEDDED_PG_PORT: Type.Optional(Type.Integer({ minimum: 1024, maximum: 65535, description: 'port of the embedded PostgreSQL' })),
  EMBEDDED_PG_DIR: Type.String({ default: '.data/pg', minLength: 1 }),
});
export type EmbeddedConfig = Static<typeof EmbeddedSchema>;

export class ConfigError extends Error {}

const REQUIRED: Record<string, string> = {
  SECRETS_KEY:
    'is required: one or more keys of 32 random bytes, base64 or hex, comma-separated (make one with `openssl rand -base64 32`; ' +
    'with DATABASE_URL unset, npm start and npm test make one in .data/secrets.key for the embedded database)',
};

/** Checks beyond the schema: the secrets key list must parse (its message never contains the keys). */
function checkSecretsKey(raw: Record<string, unknown>, byVar: Map<string, string>): void {
  if (typeof raw.SECRETS_KEY !== 'string' || byVar.has('SECRETS_KEY')) return;
  try {
    parseKeyring(raw.SECRETS_KEY);
  } catch (e) {
    if (!(e instanceof SecretBoxError)) throw e;
    byVar.set('SECRETS_KEY', `is not valid: ${e.message}`);
  }
}

function parse<S extends typeof ConfigSchema | typeof EmbeddedSchema>(schema: S, env: NodeJS.ProcessEnv): Static<S> {
  const keys = Object.keys(schema.properties);
  const raw: Record<string, unknown> = {};
  for (const k of keys) {
    const v = env[k];
    if (v !== undefined && v !== '') raw[k] = v;
  }
  const value = Value.Convert(schema, Value.Default(schema, raw));
  const errors = [...Value.Errors(schema, value)];
  const byVar = new Map<string, string>();
  for (const e of errors) {
    const path = e.instancePath.replace(/^\//, '');
    // A missing variable is reported at the root, naming every required one that is missing.
    const names = path ? [path] : ((e.params as { requiredProperties?: string[] }).requiredProperties ?? ['']);
    for (const name of names) {
      if (!byVar.has(name)) byVar.set(name, raw[name] === undefined ? (REQUIRED[name] ?? 'is required') : e.message);
    }
  }
  if ('SECRETS_KEY' in schema.properties) checkSecretsKey(raw, byVar);
  if (byVar.size > 0) {
    const list = [...byVar].map(([k, m]) => `${k} ${m}`).join('; ');
    throw new ConfigError(`invalid configuration: ${list} (see .env.example)`);
  }
  return value as Static<S>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parse(ConfigSchema, env);
}

/** What scripts/with-db.ts needs: the embedded database's settings, and whether the caller brought a database or a key. */
export function loadEmbeddedConfig(env: NodeJS.ProcessEnv = process.env): EmbeddedConfig & { DATABASE_URL?: string; SECRETS_KEY?: string } {
  return { ...parse(EmbeddedSchema, env), DATABASE_URL: env.DATABASE_URL || undefined, SECRETS_KEY: env.SECRETS_KEY || undefined };
}
