import * as tf from '@tensorflow/tfjs';

/** The part of the wasm backend a buffer-sharing kernel needs. */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** Marks the kernels installed here, so installing twice is a no-op. */
const SHARED = Symbol('score.sharedBufferKernel');

/**
 * Replaces `kernelName`'s wasm kernel by one that returns its input's buffer (reference count
 * raised, as the wasm Reshape kernel does) when `shares(args)` holds, else runs the original.
 */
function shareBuffers(kernelName: string, shares: (x: tf.TensorInfo, attrs: tf.NamedAttrMap) => boolean): void {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined || (kernel.kernelFunc as { [SHARED]?: true })[SHARED]) return;
  const original = kernel.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs['x'] as tf.TensorInfo;
    if (x.dtype === 'string' || !shares(x, args.attrs ?? {})) return original(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  Object.assign(kernelFunc, { [SHARED]: true });
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
}

/**
 * Makes the wasm backend's Identity kernel, and its Cast kernel when the dtype does not change,
 * share the input's buffer instead of copying it. tfjs runs Identity (`engine.clone`) on every
 * tensor a kernel saves for its gradient, and the gradients of `mul` and `relu` cast float32
 * tensors to float32, so on wasm every training step copied each saved activation once more,
 * plus one copy per such cast (for SASRec at batch 1,024: 44 copies of [25,600, 64] tensors from
 * Identity alone, about 8% of a step). Tensors are immutable in tfjs (variables swap buffers on
 * `assign`, never write into one), so the copies buy nothing; the cpu backend's Identity already
 * shares. Applied once, when {@link initTensorflow} selects wasm.
 */
export function installSharedBufferKernels(): void {
  shareBuffers(tf.Identity, () => true);
  shareBuffers(tf.Cast, (x, attrs) => attrs['dtype'] === x.dtype);
}
