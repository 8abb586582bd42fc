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

export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'omtanke' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
