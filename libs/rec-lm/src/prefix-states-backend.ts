/**
 * Computes the residual stream after a model's frozen bottom blocks (the states the prefix cache
 * of `LlamaModel.enablePrefixCache` stores) outside the tfjs forward pass, e.g. with onnxruntime
 * ({@link createOnnxPrefixBackend}). The model asks it for every prompt missing from the cache in
 * `LlamaModel.fillPrefixCache`, before the forward pass that needs them.
 */
export interface PrefixStatesBackend {
  /** What computes the states (e.g. "onnx"), shown by `prefixCacheStats.backend`. */
  readonly kind: string;
  /** Blocks 0..layers-1 are computed; must equal the cache's `layers`. */
  readonly layers: number;
  /**
   * The states of right-padded token ids [batch, time] (row-major): [batch * time * hidden]
   * float32, row b's position t at (b * time + t) * hidden.
   */
  states(ids: Int32Array, batch: number, time: number): Promise<Float32Array>;
  /** Frees the backend's native resources. */
  dispose(): Promise<void>;
}
