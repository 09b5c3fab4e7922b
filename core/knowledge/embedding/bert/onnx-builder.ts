import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** An attribute value, tagged because ONNX tells ints from floats and JavaScript does not. */
export type Attribute =
  { kind: 'int'; value: number } | { kind: 'float'; value: number } | { kind: 'ints'; value: number[] };

export const int = (value: number): Attribute => ({ kind: 'int', value });
export const float = (value: number): Attribute => ({ kind: 'float', value });
export const ints = (value: number[]): Attribute => ({ kind: 'ints', value });

export const elementType = {
  float: DataType.FLOAT,
  int64: DataType.INT64,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
} as const;

/** A graph input or output: its element type and its dims, a string naming a dynamic axis. */
export interface ValueSpec {
  name: string;
  type: keyof typeof elementType;
  dims: (number | string)[];
}

/**
 * A small ONNX graph writer: nodes get fresh output names, weights become initializers stored as raw
 * little-endian bytes (every platform we ship on is little-endian).
 */
export class GraphBuilder {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly initializers: Onnx.ITensorProto[] = [];
  private counter = 0;

  /** Adds a node and returns its output names: fresh ones, or `outputs` when it gives names. */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, Attribute> = {},
    outputs: number | string[] = 1,
  ): string[] {
    const id = this.counter++;
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => `${opType.toLowerCase()}_${id}_${i}`)
        : outputs;
    this.nodes.push({
      opType,
      name: `${opType}_${id}`,
      input: inputs,
      output: names,
      attribute: Object.entries(attributes).map(([name, a]) => toAttribute(name, a)),
    });
    return names;
  }

  /** Adds a node with a single output and returns its name. */
  op(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}): string {
    return this.node(opType, inputs, attributes)[0] ?? '';
  }

  /** Adds a constant tensor; `name` must be unique in the graph. */
  constant(name: string, type: keyof typeof elementType, dims: number[], data: ArrayBufferView): string {
    this.initializers.push({
      name,
      dataType: elementType[type],
      dims,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  floats(name: string, dims: number[], data: Float32Array | number[]): string {
    return this.constant(name, 'float', dims, data instanceof Float32Array ? data : Float32Array.from(data));
  }

  int64s(name: string, dims: number[], values: number[]): string {
    return this.constant(
      name,
      'int64',
      dims,
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  /** Serialises the graph as an ONNX model with the default-domain opset `opset`. */
  encode(options: {
    name: string;
    inputs: ValueSpec[];
    outputs: ValueSpec[];
    opset: number;
    doc: string;
  }): Uint8Array {
    const model = onnx.ModelProto.create({
      // IR version 8 is what ONNX 1.12 (opset 17) writes; onnxruntime reads it.
      irVersion: 8,
      producerName: 'airdesk',
      docString: options.doc,
      opsetImport: [{ domain: '', version: options.opset }],
      graph: {
        name: options.name,
        node: this.nodes,
        initializer: this.initializers,
        input: options.inputs.map(valueInfo),
        output: options.outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function toAttribute(name: string, a: Attribute): Onnx.IAttributeProto {
  const Type = onnx.AttributeProto.AttributeType;
  if (a.kind === 'int') return { name, type: Type.INT, i: a.value };
  if (a.kind === 'float') return { name, type: Type.FLOAT, f: a.value };
  return { name, type: Type.INTS, ints: a.value };
}

function valueInfo(spec: ValueSpec): Onnx.IValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: elementType[spec.type],
        shape: { dim: spec.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
