import onnxProto from 'onnx-proto';
import { InvalidOptionError, writeFileAtomic } from '@score/core';

const { onnx } = onnxProto;

/** Element types the builder writes (ONNX TensorProto.DataType). */
export type OnnxElementType = 'float32' | 'int64';

/** An ONNX node attribute value: a number is an INT when `Number.isInteger` and not marked float. */
export type OnnxAttribute = { readonly int: number } | { readonly float: number } | { readonly ints: readonly number[] } | { readonly string: string };

const ELEMENT_TYPE: Readonly<Record<OnnxElementType, number>> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 };

function bytesOf(data: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A small writer of ONNX graphs with `onnx-proto`: declare inputs, initializers and nodes, then
 * serialise a model (IR version 8, default-domain opset 17 by default).
 */
export class OnnxGraphBuilder {
  readonly #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly #initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  readonly #inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  readonly #outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  readonly #names = new Set<string>();
  #counter = 0;

  #fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.#counter++}`;
    while (this.#names.has(name));
    this.#names.add(name);
    return name;
  }

  #valueInfo(name: string, type: OnnxElementType, dims: readonly (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
    return onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: ELEMENT_TYPE[type],
          shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
  }

  /** Declares a graph input; a string dimension is symbolic (e.g. "batch"). Returns its name. */
  input(name: string, type: OnnxElementType, dims: readonly (number | string)[]): string {
    this.#names.add(name);
    this.#inputs.push(this.#valueInfo(name, type, dims));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, type: OnnxElementType, dims: readonly (number | string)[]): void {
    this.#outputs.push(this.#valueInfo(name, type, dims));
  }

  /** Adds a constant tensor (an initializer). `name` defaults to a fresh one; returns the name. */
  initializer(data: Float32Array | BigInt64Array, dims: readonly number[], name?: string): string {
    const elements = dims.reduce((a, b) => a * b, 1);
    if (elements !== data.length) throw new InvalidOptionError('dims', `[${dims.join(', ')}] needs ${elements} values, got ${data.length}.`);
    const tensorName = name ?? this.#fresh('const');
    this.#names.add(tensorName);
    this.#initializers.push(
      onnx.TensorProto.create({
        name: tensorName,
        dims: [...dims],
        dataType: data instanceof Float32Array ? ELEMENT_TYPE.float32 : ELEMENT_TYPE.int64,
        rawData: bytesOf(data),
      }),
    );
    return tensorName;
  }

  /**
   * Adds a linear layer's weight stored as [out, in] (PyTorch's `nn.Linear` layout) transposed to
   * [in, out], the right operand of ONNX `MatMul` (x [.., in] @ W^T). Returns its name.
   */
  transposedInitializer(data: Float32Array, dims: readonly [number, number], name?: string): string {
    const [out, inner] = dims;
    if (out * inner !== data.length) throw new InvalidOptionError('dims', `[${dims.join(', ')}] needs ${out * inner} values, got ${data.length}.`);
    const transposed = new Float32Array(out * inner);
    for (let o = 0; o < out; o++) {
      const row = o * inner;
      for (let i = 0; i < inner; i++) transposed[i * out + o] = data[row + i]!;
    }
    return this.initializer(transposed, [inner, out], name);
  }

  /** A float32 constant from numbers. */
  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(Float32Array.from(values), dims);
  }

  /** An int64 constant from numbers. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  /** Adds a node and returns the name of its (first) output; `output` names it, else a fresh name is used. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, output?: string): string {
    return this.nodeOutputs(opType, inputs, 1, attributes, output === undefined ? undefined : [output])[0]!;
  }

  /**
   * Adds a node with `count` outputs (e.g. `Split`) and returns their names; `outputs` names
   * them, else fresh names are used.
   */
  nodeOutputs(opType: string, inputs: readonly string[], count: number, attributes: Readonly<Record<string, OnnxAttribute>> = {}, outputs?: readonly string[]): string[] {
    if (!Number.isInteger(count) || count < 1) throw new InvalidOptionError('count', `must be a positive integer, got ${count}.`, count);
    if (outputs !== undefined && outputs.length !== count) throw new InvalidOptionError('outputs', `names ${outputs.length} outputs, but the node has ${count}.`, outputs.length);
    const out = outputs ? [...outputs] : Array.from({ length: count }, () => this.#fresh(opType.toLowerCase()));
    for (const name of out) this.#names.add(name);
    const attribute = Object.entries(attributes).map(([name, value]) => {
      const Type = onnx.AttributeProto.AttributeType;
      if ('int' in value) return { name, type: Type.INT, i: value.int };
      if ('float' in value) return { name, type: Type.FLOAT, f: value.float };
      if ('ints' in value) return { name, type: Type.INTS, ints: [...value.ints] };
      return { name, type: Type.STRING, s: new TextEncoder().encode(value.string) };
    });
    this.#nodes.push(onnx.NodeProto.create({ opType, input: [...inputs], output: out, name: out[0]!, attribute }));
    return out;
  }

  /** Serialises the model. */
  toBytes(options: { opset?: number; graphName?: string; producer?: string } = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: options.producer ?? '@score/text-encoders',
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      graph: {
        name: options.graphName ?? 'graph',
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /** Writes the model to a file (temp name, then rename). */
  async save(filePath: string, options: { opset?: number; graphName?: string } = {}): Promise<void> {
    await writeFileAtomic(filePath, this.toBytes(options));
  }
}
