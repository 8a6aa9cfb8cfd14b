import type { Logger } from '@score/core';
import pino, { type DestinationStream } from 'pino';

/** Options of {@link createPinoLogger}. */
export interface PinoLoggerOptions {
  /**
   * Lowest level written: "debug", "info", "warn", "error" or "silent".
   * @defaultValue "info"
   */
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * Where the JSON lines go.
   * @defaultValue standard error
   */
  readonly destination?: DestinationStream;
  /**
   * Name written into every line.
   * @defaultValue "score-serve"
   */
  readonly name?: string;
}

/** A core {@link Logger} writing pino JSON lines (one object per call: level, time, name, msg and the fields). */
export function createPinoLogger(options: PinoLoggerOptions = {}): Logger {
  const logger = pino({ level: options.level ?? 'info', name: options.name ?? 'score-serve' }, options.destination ?? pino.destination(2));
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
