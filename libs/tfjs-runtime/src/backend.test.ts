import { describe, expect, it } from 'vitest';
import { initTensorflow } from './backend';

describe('initTensorflow', () => {
  it('falls back from tfjs-node to wasm here and logs the backend', async () => {
    const lines: string[] = [];
    const logger = { debug() {}, warn() {}, error() {}, info: (message: string) => lines.push(message) };
    const runtime = await initTensorflow({ backend: 'auto', logger });
    // tfjs-node cannot be installed on this machine, so auto resolves to wasm and says why.
    expect(['tensorflow', 'wasm']).toContain(runtime.backend);
    if (runtime.backend === 'wasm') expect(runtime.skipped.map((s) => s.backend)).toEqual(['tensorflow']);
    expect(lines).toEqual([`TensorFlow.js backend: ${runtime.backend}`]);
    const product = runtime.tf.tidy(() => runtime.tf.matMul(runtime.tf.tensor2d([[1, 2]]), runtime.tf.tensor2d([[3], [4]])).dataSync()[0]);
    expect(product).toBe(11);
  });

  it('can force the cpu backend and rejects unknown names', async () => {
    const runtime = await initTensorflow({ backend: 'cpu' });
    expect(runtime.backend).toBe('cpu');
    expect(runtime.tf.getBackend()).toBe('cpu');
    expect(() => initTensorflow({ backend: 'gpu' as never })).toThrow(/"gpu" is not a TensorFlow.js backend; use one of auto, tensorflow, wasm, cpu/);
  });
});
