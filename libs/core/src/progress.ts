/**
 * Progress of a long operation. Libraries emit these through an `onProgress` option and never
 * print; apps render them (progress bars, JSON logs).
 */
export interface ProgressEvent {
  /** What is running, e.g. "crm.train", "car.index", "assess". */
  readonly task: string;
  /** Units finished so far. */
  readonly done: number;
  /** Units in all, when known. */
  readonly total?: number;
  /** What a unit is: "rows", "batches", "texts", "calls", "tokens". */
  readonly unit: string;
  /** Epoch number (1-based) for training loops. */
  readonly epoch?: number;
  /** Live figures: loss, rows/s, AUC, token counts. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Set on the last event of the operation. */
  readonly finished?: boolean;
}

/** Receives progress events. */
export type ProgressCallback = (event: ProgressEvent) => void;

/** The subset of a structured logger (pino-compatible) that libraries may call. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default of every library). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
