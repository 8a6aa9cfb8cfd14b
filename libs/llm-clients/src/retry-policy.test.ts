import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry-policy';

describe('retry policy', () => {
  it('reads Retry-After as seconds, fractions, an HTTP-date, or retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.25' }), now)).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 00:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2', 'retry-after-ms': '120' }), now)).toBe(120);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });

  it('retries 408, 409, 425, 429 and 5xx only', () => {
    expect([400, 401, 404, 408, 409, 422, 425, 429, 500, 503].filter(isRetryableStatus)).toEqual([408, 409, 425, 429, 500, 503]);
  });

  it('backs off exponentially with jitter in the upper half, capped', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(600);
    expect(backoffDelay(20, 100, 1_000, () => 1)).toBe(1_000);
  });

  it('sleeps until aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
