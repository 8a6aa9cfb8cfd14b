// Test fixtures of @score/llm-clients (the `@score/llm-clients/testing` subpath): tiny random
// GGUF models that node-llama-cpp loads, for tests, benchmarks and examples. Not part of the
// main entry; a model written here has random weights and answers nothing meaningful.
export { TINY_LLAMA_DEFAULT_VOCAB, writeTinyLlamaGguf } from './write-tiny-llama-gguf';
export type { TinyLlamaGgufOptions } from './write-tiny-llama-gguf';
export { writeTinyLlamaLoraGguf } from './write-tiny-llama-lora-gguf';
export type { TinyLlamaLoraGgufOptions } from './write-tiny-llama-lora-gguf';
export { GGML_TYPE_LAYOUTS } from './gguf-types';
export type { GgmlTypeLayout } from './gguf-types';
