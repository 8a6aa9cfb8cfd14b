import type { Logger } from '@score/core';
import { pino } from 'pino';

/** Log level names the CLI accepts (`--log-level`). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** How logs look on stderr: readable lines, or pino's JSON lines for machines. */
export type LogFormat = 'pretty' | 'json';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

/**
 * The CLI's logger, on stderr (stdout stays free for results): pino JSON lines with
 * `format: 'json'`, else one readable line per message (`[info] message key=value`).
 * Adapted to the `Logger` interface the libraries take.
 */
export function createCliLogger(level: LogLevel = 'info', format: LogFormat = 'pretty', stream: NodeJS.WritableStream = process.stderr): Logger {
  if (format === 'json') {
    const instance = pino({ level, base: { app: 'score-train' } }, pino.destination({ fd: 2, sync: true }));
    return {
      debug: (message, fields) => instance.debug(fields ?? {}, message),
      info: (message, fields) => instance.info(fields ?? {}, message),
      warn: (message, fields) => instance.warn(fields ?? {}, message),
      error: (message, fields) => instance.error(fields ?? {}, message),
    };
  }
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, value]) => value !== undefined && typeof value !== 'object')
          .map(([key, value]) => ` ${key}=${String(value)}`)
          .join('')
      : '';
    stream.write(`[${at}] ${message}${extra}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
