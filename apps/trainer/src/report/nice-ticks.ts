/** An axis range and its tick values. */
export interface AxisTicks {
  /** First tick (the axis start). */
  readonly min: number;
  /** Last tick (the axis end). */
  readonly max: number;
  /** Distance between ticks. */
  readonly step: number;
  /** Every tick value, ascending. */
  readonly ticks: readonly number[];
}

/** The step among 1, 2, 2.5 and 5 times a power of ten that gives about `count` intervals. */
function niceStep(range: number, count: number): number {
  const raw = range / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  const factor = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 2.5 ? 2.5 : scaled <= 5 ? 5 : 10;
  return factor * power;
}

/**
 * Round tick values covering [low, high] with about `count` intervals (the classic "nice numbers"
 * axis). A zero-width range is widened around its value.
 * @param count - Wanted number of intervals. @defaultValue 5
 */
export function niceTicks(low: number, high: number, count = 5): AxisTicks {
  let lower = Math.min(low, high);
  let upper = Math.max(low, high);
  if (upper - lower < 1e-12) {
    const pad = Math.abs(upper) > 1e-12 ? Math.abs(upper) * 0.1 : 1;
    lower -= pad;
    upper += pad;
  }
  const step = niceStep(upper - lower, count);
  const min = Math.floor(lower / step + 1e-9) * step;
  const max = Math.ceil(upper / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let index = 0; min + index * step <= max + step * 1e-9; index++) ticks.push(Number((min + index * step).toPrecision(12)));
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, step, ticks };
}

/** A tick label with just enough decimals for the step (0.05 -> "0.55", 10 -> "30"). */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9) + (step / 10 ** Math.floor(Math.log10(step) + 1e-9) === 2.5 ? 1 : 0)));
  return value.toFixed(decimals);
}
