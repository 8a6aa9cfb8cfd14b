import { escapeMarkup } from './escape-markup';
import { formatTick, niceTicks } from './nice-ticks';

/** One named series of values: per category (bar chart) or per x value (line chart). */
export interface ChartSeries {
  /** Name shown in the legend and tooltips. */
  readonly name: string;
  /** One value per category or x value; non-finite values are not drawn. */
  readonly values: readonly number[];
}

/** What every chart takes: its title and its series. */
export interface ChartOptions {
  /** Title drawn above the chart and used as its accessible name. */
  readonly title: string;
  /**
   * The series: one bar per series in each group of a bar chart, one line per series of a line
   * chart; `values[i]` belongs to the i-th category or x value.
   */
  readonly series: readonly ChartSeries[];
  /** Width in pixels. @defaultValue 720 for a bar chart, 480 for a line chart */
  readonly width?: number;
}

/** Options of {@link barChart}. */
export interface BarChartOptions extends ChartOptions {
  /** One group of bars per category, top to bottom (e.g. models). */
  readonly categories: readonly string[];
  /** Label of the value axis. @defaultValue "" */
  readonly valueLabel?: string;
  /** Value where bars start; lowered to fit values below it. @defaultValue 0 */
  readonly baseline?: number;
  /** Formats the value printed at the end of each bar. @defaultValue four decimals */
  readonly formatValue?: (value: number) => string;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions extends ChartOptions {
  /** The x values, left to right (e.g. K_e = 5, 10, 15, 20). */
  readonly x: readonly number[];
  /** Label of the x axis. @defaultValue "" */
  readonly xLabel?: string;
  /** Label of the y axis. @defaultValue "" */
  readonly yLabel?: string;
  /** Height in pixels. @defaultValue 300 */
  readonly height?: number;
}

/** Colour-blind-safe series colours (Okabe-Ito). */
export const SERIES_COLOURS: readonly string[] = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const CHARACTER_WIDTH = 7;

function colour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length]!;
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function open(width: number, height: number, title: string): string {
  const name = escapeMarkup(title);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${name}" ${FONT}><title>${name}</title>`
    + `<text class="chart-title" x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${name}</text>`;
}

function legend(series: readonly ChartSeries[], x: number, y: number): string {
  let offset = x;
  return series
    .map((entry, index) => {
      const item = `<g class="legend-item"><rect x="${round(offset)}" y="${y - 9}" width="10" height="10" fill="${colour(index)}"></rect>`
        + `<text x="${round(offset + 14)}" y="${y}">${escapeMarkup(entry.name)}</text></g>`;
      offset += 30 + entry.name.length * CHARACTER_WIDTH;
      return item;
    })
    .join('');
}

function emptyChart(title: string, width: number): string {
  return `${open(width, 60, title)}<text x="${width / 2}" y="44" text-anchor="middle">No data</text></svg>`;
}

function finiteValues(series: readonly ChartSeries[]): number[] {
  return series.flatMap((entry) => entry.values).filter((value) => Number.isFinite(value));
}

/**
 * A horizontal grouped bar chart as a standalone SVG string (Table 2 / Fig. 3 style): one group
 * per category, one bar (`class="bar"`) per series, the value at the end of each bar, a value
 * axis with ticks and grid lines, and a legend. All text is escaped.
 */
export function barChart(options: BarChartOptions): string {
  const width = options.width ?? 720;
  const format = options.formatValue ?? ((value: number) => value.toFixed(4));
  const values = finiteValues(options.series);
  if (options.categories.length === 0 || options.series.length === 0 || values.length === 0) return emptyChart(options.title, width);
  const axis = niceTicks(Math.min(options.baseline ?? 0, ...values), Math.max(...values));
  const barHeight = 14;
  const groupHeight = options.series.length * (barHeight + 2) + 10;
  const left = Math.min(width / 2, 16 + Math.max(...options.categories.map((category) => category.length)) * CHARACTER_WIDTH);
  const right = 60;
  const top = 48;
  const plotHeight = options.categories.length * groupHeight;
  const height = top + plotHeight + 48;
  const plotWidth = width - left - right;
  const scale = (value: number): number => left + ((value - axis.min) / (axis.max - axis.min)) * plotWidth;
  const parts: string[] = [open(width, height, options.title), legend(options.series, left, 38)];
  for (const tick of axis.ticks) {
    const x = round(scale(tick));
    parts.push(`<line class="grid" x1="${x}" y1="${top}" x2="${x}" y2="${top + plotHeight}" stroke="#ddd"></line>`);
    parts.push(`<text class="tick" x="${x}" y="${top + plotHeight + 16}" text-anchor="middle">${formatTick(tick, axis.step)}</text>`);
  }
  options.categories.forEach((category, categoryIndex) => {
    const groupTop = top + categoryIndex * groupHeight + 5;
    const middle = groupTop + (options.series.length * (barHeight + 2)) / 2;
    parts.push(`<text class="category" x="${left - 6}" y="${round(middle + 4)}" text-anchor="end">${escapeMarkup(category)}</text>`);
    options.series.forEach((entry, seriesIndex) => {
      const value = entry.values[categoryIndex];
      if (value === undefined || !Number.isFinite(value)) return;
      const y = groupTop + seriesIndex * (barHeight + 2);
      const start = scale(options.baseline ?? 0);
      const end = scale(value);
      const label = `${entry.name}, ${category}: ${format(value)}`;
      parts.push(
        `<rect class="bar" x="${round(Math.min(start, end))}" y="${y}" width="${round(Math.abs(end - start))}" height="${barHeight}" fill="${colour(seriesIndex)}"><title>${escapeMarkup(label)}</title></rect>`,
        `<text class="value" x="${round(Math.max(start, end) + 4)}" y="${y + barHeight - 3}" font-size="11">${escapeMarkup(format(value))}</text>`,
      );
    });
  });
  parts.push(
    `<line class="axis" x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"></line>`,
    `<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"></line>`,
    `<text class="axis-label" x="${round(left + plotWidth / 2)}" y="${height - 8}" text-anchor="middle">${escapeMarkup(options.valueLabel ?? '')}</text>`,
    '</svg>',
  );
  return parts.join('');
}

/**
 * A line chart as a standalone SVG string (Fig. 4 style): one polyline with a marker
 * (`class="point"`) per x value for each series, both axes with ticks and labels, and a legend.
 * The y axis spans the data (not from zero), rounded to nice ticks. All text is escaped.
 */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  const values = finiteValues(options.series);
  if (options.x.length === 0 || options.series.length === 0 || values.length === 0) return emptyChart(options.title, width);
  const yAxis = niceTicks(Math.min(...values), Math.max(...values), 5);
  const xMin = Math.min(...options.x);
  const xMax = Math.max(...options.x);
  const left = 64;
  const right = 20;
  const top = 48;
  const bottom = 48;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const scaleX = (value: number): number => (xMax === xMin ? left + plotWidth / 2 : left + ((value - xMin) / (xMax - xMin)) * plotWidth);
  const scaleY = (value: number): number => top + plotHeight - ((value - yAxis.min) / (yAxis.max - yAxis.min)) * plotHeight;
  const parts: string[] = [open(width, height, options.title), legend(options.series, left, 38)];
  for (const tick of yAxis.ticks) {
    const y = round(scaleY(tick));
    parts.push(`<line class="grid" x1="${left}" y1="${y}" x2="${left + plotWidth}" y2="${y}" stroke="#ddd"></line>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${y}" dy="4" text-anchor="end">${formatTick(tick, yAxis.step)}</text>`);
  }
  for (const value of options.x) {
    parts.push(`<text class="tick" x="${round(scaleX(value))}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeMarkup(String(value))}</text>`);
  }
  options.series.forEach((entry, seriesIndex) => {
    const points = options.x
      .map((x, index) => ({ x, value: entry.values[index] }))
      .filter((point): point is { x: number; value: number } => point.value !== undefined && Number.isFinite(point.value));
    const path = points.map((point) => `${round(scaleX(point.x))},${round(scaleY(point.value))}`).join(' ');
    parts.push(`<polyline class="line" points="${path}" fill="none" stroke="${colour(seriesIndex)}" stroke-width="2"></polyline>`);
    for (const point of points) {
      const label = `${entry.name} at ${point.x}: ${point.value.toFixed(4)}`;
      parts.push(`<circle class="point" cx="${round(scaleX(point.x))}" cy="${round(scaleY(point.value))}" r="4" fill="${colour(seriesIndex)}"><title>${escapeMarkup(label)}</title></circle>`);
    }
  });
  parts.push(
    `<line class="axis" x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"></line>`,
    `<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"></line>`,
    `<text class="axis-label" x="${round(left + plotWidth / 2)}" y="${height - 10}" text-anchor="middle">${escapeMarkup(options.xLabel ?? '')}</text>`,
    `<text class="axis-label" x="16" y="${round(top + plotHeight / 2)}" text-anchor="middle" transform="rotate(-90 16 ${round(top + plotHeight / 2)})">${escapeMarkup(options.yLabel ?? '')}</text>`,
    '</svg>',
  );
  return parts.join('');
}
