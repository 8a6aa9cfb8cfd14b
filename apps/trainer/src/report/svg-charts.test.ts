import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from './svg-charts';

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

describe('barChart', () => {
  const svg = barChart({
    title: 'AUC <per> model',
    categories: ['MF', 'SASRec & co', 'SCoRe'],
    series: [
      { name: 'AUC', values: [0.6, 0.68, 0.73] },
      { name: 'UAUC', values: [0.58, 0.66, 0.71] },
    ],
    baseline: 0.5,
    valueLabel: 'AUC / UAUC',
  });

  it('draws one bar per category and series, with its value', () => {
    expect(count(svg, /<rect class="bar"/g)).toBe(6);
    expect(svg).toContain('<title>UAUC, SCoRe: 0.7100</title>');
    expect(svg).toContain('>0.6800</text>');
  });

  it('draws nice ticks from the baseline, a legend and escaped labels', () => {
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(ticks).toEqual(['0.50', '0.55', '0.60', '0.65', '0.70', '0.75']);
    expect(count(svg, /class="legend-item"/g)).toBe(2);
    expect(svg).toContain('<title>AUC &lt;per&gt; model</title>');
    expect(svg).toContain('>SASRec &amp; co</text>');
    expect(svg).not.toContain('<per>');
  });

  it('makes bar length proportional to the value above the baseline', () => {
    const widths = [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((match) => Number(match[2]));
    // AUC of MF (0.60) and SCoRe (0.73) over the 0.50..0.75 axis: widths in the ratio 0.10 : 0.23.
    expect(widths[4]! / widths[0]!).toBeCloseTo(0.23 / 0.1, 1);
  });

  it('draws "No data" for an empty chart', () => {
    const empty = barChart({ title: 'Nothing', categories: [], series: [] });
    expect(empty).toContain('>No data</text>');
    expect(count(empty, /class="bar"/g)).toBe(0);
  });
});

describe('lineChart', () => {
  const svg = lineChart({
    title: 'AUC vs K_e',
    x: [5, 10, 15, 20],
    series: [
      { name: 'AUC', values: [0.71, 0.73, 0.725, 0.72] },
      { name: 'UAUC', values: [0.69, 0.71, 0.715, 0.7] },
    ],
    xLabel: 'K_e',
    yLabel: 'AUC',
  });

  it('draws one marker per point and one line per series', () => {
    expect(count(svg, /<circle class="point"/g)).toBe(8);
    expect(count(svg, /<polyline class="line"/g)).toBe(2);
    expect(svg).toContain('<title>UAUC at 15: 0.7150</title>');
  });

  it('labels every x value and puts higher values higher', () => {
    for (const k of ['5', '10', '15', '20']) expect(svg).toContain(`text-anchor="middle">${k}</text>`);
    const ys = [...svg.matchAll(/<circle class="point" cx="[\d.]+" cy="([\d.]+)"/g)].map((match) => Number(match[1]));
    // SVG y grows downwards: AUC 0.73 at K_e 10 sits above AUC 0.71 at K_e 5.
    expect(ys[1]).toBeLessThan(ys[0]!);
    expect(svg).toContain('>K_e</text>');
  });
});
