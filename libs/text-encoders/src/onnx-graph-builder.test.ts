import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from './onnx-graph-builder';

describe('OnnxGraphBuilder', () => {
  it('transposedInitializer stores an [out, in] weight so that MatMul gives x W^T', async () => {
    const g = new OnnxGraphBuilder();
    // W [out 3, in 2]: rows (1, 2), (3, 4), (5, 6).
    const weight = g.transposedInitializer(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2], 'w');
    const x = g.input('x', 'float32', ['rows', 2]);
    g.node('MatMul', [x, weight], {}, 'y');
    g.output('y', 'float32', ['rows', 3]);
    const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 1 });
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 0, 2, -1]), [2, 2]) });
    expect(y!.dims).toEqual([2, 3]);
    // (1, 0) W^T = (1, 3, 5); (2, -1) W^T = (0, 2, 4).
    expect(Array.from(y!.data as Float32Array)).toEqual([1, 3, 5, 0, 2, 4]);
    await session.release();
    expect(() => g.transposedInitializer(new Float32Array(5), [3, 2])).toThrow(/\[3, 2\] needs 6 values, got 5/);
  });

  it('nodeOutputs adds a node with several outputs (Split)', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.input('x', 'float32', [1, 5]);
    const [left, right] = g.nodeOutputs('Split', [x, g.ints([2, 3])], 2, { axis: { int: 1 } }, ['left', 'right']);
    expect([left, right]).toEqual(['left', 'right']);
    const [a, b] = g.nodeOutputs('Split', [x, g.ints([4, 1])], 2, { axis: { int: 1 } });
    g.node('Concat', [right!, left!], { axis: { int: 1 } }, 'swapped');
    g.node('Sub', [a!, g.node('Tile', [b!, g.ints([1, 4])])], {}, 'minus_last');
    g.output('swapped', 'float32', [1, 5]);
    g.output('minus_last', 'float32', [1, 4]);
    const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: 1 });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5]), [1, 5]) });
    expect(Array.from(out['swapped']!.data as Float32Array)).toEqual([3, 4, 5, 1, 2]);
    expect(Array.from(out['minus_last']!.data as Float32Array)).toEqual([-4, -3, -2, -1]);
    await session.release();
    expect(() => g.nodeOutputs('Split', [x], 2, {}, ['only'])).toThrow(/names 1 outputs, but the node has 2/);
  });
});
