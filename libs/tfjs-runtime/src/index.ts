export { BACKEND_ORDER, initTensorflow, tf } from './backend';
export type { BackendName, TensorflowRuntime, TensorflowRuntimeOptions } from './backend';
export { openSafetensorsCheckpoint, readSafetensors, SafetensorsFile, writeSafetensors } from './safetensors';
export type { SafetensorsDtype, SafetensorsEntry, SafetensorsInput, SafetensorsTensor } from './safetensors';
