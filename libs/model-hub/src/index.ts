export { listModels, getModelEntry } from './model-registry';
export { modelSize } from './model-entry';
export type { HubSource, ModelEntry, ModelFile, ModelSourceKind, PulledModel, PypiSource, WheelMember } from './model-entry';
export { modelNameOfSpec, modelPath, parseModelSpec, pullModel, resolveModelPath, resolveModelSpec } from './pull-model';
export type { PullOptions, PullProgressEvent } from './pull-model';
export { defaultModelsDir } from './models-dir';
export { HashMismatchError, PipUnavailableError, RegistryUnreachableError, UnknownModelError } from './model-hub-errors';
