// pino JSON logs. Secrets and national ids are redacted by path wherever they could appear.
import { pino, type Logger, type DestinationStream, type LevelWithSilent } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'api_key',
  'secret',
  '*.api_key',
  '*.secret',
  'national_id',
  'nationalId',
  '*.national_id',
  '*.nationalId',
  'body.national_id',
  'req.body.national_id',
];

// Database errors carry row data: drizzle puts a failed query's parameters into the message (and
// so the stack), and PostgreSQL's `detail` quotes the failing row or key. Either can hold a
// national id or an e-mail address, so both (and drizzle's `params` field) are cut before logging.
const PARAMS = /\nparams: [^\n]*/g;

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(PARAMS, '\nparams: [redacted]');
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      (value as Record<string, unknown>)[k] = k === 'detail' || k === 'params' ? '[redacted]' : scrub(v);
    }
  }
  return value;
}

export function errSerializer(err: Error): unknown {
  return scrub(pino.stdSerializers.err(err));
}

export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'omtanke' },
    serializers: { err: errSerializer },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
