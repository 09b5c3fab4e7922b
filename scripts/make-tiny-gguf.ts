/**
 * Writes a tiny llama-architecture GGUF (2 layers, 64-d, random weights, ChatML template, ~0.5 MB) for fast
 * tests of code that loads, prompts or embeds with node-llama-cpp. It produces gibberish, quickly.
 *
 *   npx tsx scripts/make-tiny-gguf.ts OUT.gguf [--seed N]
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const dims = { embd: 64, ff: 128, layers: 2, heads: 4, context: 4096 };

/** GGUF metadata value types (ggml/docs/gguf.md). */
const type = { uint32: 4, int32: 5, float32: 6, string: 8, array: 9 } as const;
const tokenKind = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** An SPM vocabulary with byte fallback, so any text tokenizes, plus the ChatML control tokens. */
function vocabulary(): { tokens: string[]; scores: number[]; kinds: number[] } {
  const tokens = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
  const kinds: number[] = [
    tokenKind.unknown,
    tokenKind.control,
    tokenKind.control,
    tokenKind.control,
    tokenKind.control,
  ];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    kinds.push(tokenKind.byte);
  }
  for (const piece of ['▁', ...'abcdefghijklmnopqrstuvwxyz'.split(''), '▁the', '▁a', '▁to', 'ing', 'ed']) {
    tokens.push(piece);
    kinds.push(tokenKind.normal);
  }
  return { tokens, scores: tokens.map((_, i) => -i), kinds };
}

const chatMlTemplate =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

class Writer {
  private readonly parts: Buffer[] = [];
  size = 0;
  bytes(b: Buffer) {
    this.parts.push(b);
    this.size += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.bytes(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.bytes(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.bytes(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.bytes(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  pad(alignment: number) {
    this.bytes(Buffer.alloc((alignment - (this.size % alignment)) % alignment));
  }
  result() {
    return Buffer.concat(this.parts);
  }
}

/** Writes the tiny model to `file`; the same seed gives the same bytes. */
export function writeTinyGguf(file: string, seed = 1): void {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
  const vocab = vocabulary();
  const { embd, ff } = dims;
  // GGUF lists dims innermost first: a PyTorch [out, in] weight is [in, out] here.
  const tensors: { name: string; shape: number[]; scale: number }[] = [
    { name: 'token_embd.weight', shape: [embd, vocab.tokens.length], scale: 0.5 },
    { name: 'output_norm.weight', shape: [embd], scale: 0 },
    { name: 'output.weight', shape: [embd, vocab.tokens.length], scale: 0.2 },
  ];
  for (let i = 0; i < dims.layers; i++) {
    const p = `blk.${i}`;
    tensors.push(
      { name: `${p}.attn_norm.weight`, shape: [embd], scale: 0 },
      { name: `${p}.attn_q.weight`, shape: [embd, embd], scale: 0.2 },
      { name: `${p}.attn_k.weight`, shape: [embd, embd], scale: 0.2 },
      { name: `${p}.attn_v.weight`, shape: [embd, embd], scale: 0.2 },
      { name: `${p}.attn_output.weight`, shape: [embd, embd], scale: 0.2 },
      { name: `${p}.ffn_norm.weight`, shape: [embd], scale: 0 },
      { name: `${p}.ffn_gate.weight`, shape: [embd, ff], scale: 0.2 },
      { name: `${p}.ffn_up.weight`, shape: [embd, ff], scale: 0.2 },
      { name: `${p}.ffn_down.weight`, shape: [ff, embd], scale: 0.2 },
    );
  }
  const metadata: [string, (w: Writer) => void][] = [
    ['general.architecture', (w) => (w.u32(type.string), w.str('llama'))],
    ['general.name', (w) => (w.u32(type.string), w.str('airdesk-tiny-test'))],
    ['llama.context_length', (w) => (w.u32(type.uint32), w.u32(dims.context))],
    ['llama.embedding_length', (w) => (w.u32(type.uint32), w.u32(embd))],
    ['llama.block_count', (w) => (w.u32(type.uint32), w.u32(dims.layers))],
    ['llama.feed_forward_length', (w) => (w.u32(type.uint32), w.u32(ff))],
    ['llama.attention.head_count', (w) => (w.u32(type.uint32), w.u32(dims.heads))],
    ['llama.attention.head_count_kv', (w) => (w.u32(type.uint32), w.u32(dims.heads))],
    ['llama.rope.dimension_count', (w) => (w.u32(type.uint32), w.u32(embd / dims.heads))],
    ['llama.attention.layer_norm_rms_epsilon', (w) => (w.u32(type.float32), w.f32(1e-5))],
    ['tokenizer.ggml.model', (w) => (w.u32(type.string), w.str('llama'))],
    [
      'tokenizer.ggml.tokens',
      (w) => (
        w.u32(type.array),
        w.u32(type.string),
        w.u64(vocab.tokens.length),
        vocab.tokens.forEach((t) => w.str(t))
      ),
    ],
    [
      'tokenizer.ggml.scores',
      (w) => (
        w.u32(type.array),
        w.u32(type.float32),
        w.u64(vocab.scores.length),
        vocab.scores.forEach((s) => w.f32(s))
      ),
    ],
    [
      'tokenizer.ggml.token_type',
      (w) => (
        w.u32(type.array),
        w.u32(type.int32),
        w.u64(vocab.kinds.length),
        vocab.kinds.forEach((k) => w.i32(k))
      ),
    ],
    ['tokenizer.ggml.bos_token_id', (w) => (w.u32(type.uint32), w.u32(1))],
    ['tokenizer.ggml.eos_token_id', (w) => (w.u32(type.uint32), w.u32(4))],
    ['tokenizer.ggml.unknown_token_id', (w) => (w.u32(type.uint32), w.u32(0))],
    ['tokenizer.chat_template', (w) => (w.u32(type.string), w.str(chatMlTemplate))],
  ];
  const w = new Writer();
  w.bytes(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, write] of metadata) {
    w.str(key);
    write(w);
  }
  const alignment = 32;
  let offset = 0;
  const sizes = tensors.map((t) => t.shape.reduce((a, b) => a * b, 1) * 4);
  tensors.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.shape.length);
    t.shape.forEach((d) => w.u64(d));
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset += Math.ceil((sizes[i] ?? 0) / alignment) * alignment;
  });
  w.pad(alignment);
  tensors.forEach((t, i) => {
    const data = new Float32Array((sizes[i] ?? 0) / 4);
    // Norm weights are 1 (scale 0 means "no noise"), so activations stay in a sane range.
    for (let j = 0; j < data.length; j++) data[j] = t.scale === 0 ? 1 : random() * 2 * t.scale;
    w.bytes(Buffer.from(data.buffer));
    w.pad(alignment);
  });
  fs.writeFileSync(file, w.result());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, flag, seed] = process.argv.slice(2);
  if (!out) {
    console.error('usage: npx tsx scripts/make-tiny-gguf.ts OUT.gguf [--seed N]');
    process.exit(2);
  }
  writeTinyGguf(out, flag === '--seed' ? Number(seed) : 1);
  console.log(`wrote ${out} (${(fs.statSync(out).size / 1e6).toFixed(2)} MB)`);
}
