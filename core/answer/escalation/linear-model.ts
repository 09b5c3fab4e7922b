import { seededRandom } from './augment.js';
import { sparseDims, type SparseVector } from './features.js';

/**
 * Multinomial logistic regression (softmax) with L2, trained by SGD over a sparse part (hashed n-grams) and
 * an optional dense part (a sentence embedding). Small enough to train at start-up from the shipped examples:
 * a few thousand texts, a dozen epochs, well under a second on one core.
 */

export interface Example {
  sparse: SparseVector;
  /** Same length for every example of one model, or absent for all. */
  dense?: Float32Array;
  label: number;
}

export interface TrainOptions {
  classes: number;
  epochs?: number;
  learningRate?: number;
  /** L2 strength, applied to the weights an example touches. */
  l2?: number;
  seed?: number;
}

/**
 * A model's learned parameters in compact form, for the on-disk cache (heads-cache.ts). Only the sparse
 * buckets some training example touched can be non-zero (L2 decay is applied to touched weights only), a few
 * percent of the 2^18, so those buckets are listed with all classes' weights, bucket-major.
 */
export interface ModelWeights {
  classes: number;
  /** Buckets with a non-zero weight for at least one class, strictly increasing. */
  sparseIndices: Int32Array;
  /** `classes` weights per listed bucket: `[bucket0 class0, bucket0 class1, …, bucket1 class0, …]`. */
  sparseValues: Float32Array;
  denseDims: number;
  /** `classes * denseDims`, class-major; empty when `denseDims` is 0. */
  denseWeights: Float32Array;
  bias: Float64Array;
}

export class SoftmaxModel {
  private constructor(
    readonly classes: number,
    private readonly sparseWeights: Float32Array,
    private readonly denseWeights: Float32Array | null,
    private readonly denseDims: number,
    private readonly bias: Float64Array,
  ) {}

  /**
   * Trains on `examples`, each class weighted by the inverse of its frequency so a small class (a critical
   * category) is not drowned by "none". Deterministic for a given seed and example order.
   */
  static train(examples: Example[], options: TrainOptions): SoftmaxModel {
    const { classes } = options;
    const epochs = options.epochs ?? 8;
    const l2 = options.l2 ?? 1e-5;
    const baseRate = options.learningRate ?? 0.5;
    const denseDims = examples[0]?.dense?.length ?? 0;
    const model = new SoftmaxModel(
      classes,
      new Float32Array(classes * sparseDims),
      denseDims > 0 ? new Float32Array(classes * denseDims) : null,
      denseDims,
      new Float64Array(classes),
    );
    const counts = new Array<number>(classes).fill(0);
    for (const e of examples) counts[e.label] = (counts[e.label] ?? 0) + 1;
    const classWeight = counts.map((c) => (c > 0 ? examples.length / (classes * c) : 0));

    const random = seededRandom(options.seed ?? 7);
    const order = examples.map((_, i) => i);
    const probs = new Float64Array(classes);
    let step = 0;
    const totalSteps = epochs * examples.length;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
      }
      for (const index of order) {
        const example = examples[index];
        if (!example) continue;
        const rate = baseRate * (1 - step / totalSteps) + 0.01;
        step++;
        model.scoresInto(example.sparse, example.dense, probs);
        softmaxInPlace(probs);
        const weight = classWeight[example.label] ?? 1;
        for (let k = 0; k < classes; k++) {
          const g = ((probs[k] ?? 0) - (k === example.label ? 1 : 0)) * weight * rate;
          model.bias[k] = (model.bias[k] ?? 0) - g;
          const sOff = k * sparseDims;
          const { indices, values } = example.sparse;
          for (let n = 0; n < indices.length; n++) {
            const at = sOff + (indices[n] ?? 0);
            const w = model.sparseWeights[at] ?? 0;
            model.sparseWeights[at] = w - g * (values[n] ?? 0) - rate * l2 * w;
          }
          if (model.denseWeights && example.dense) {
            const dOff = k * denseDims;
            for (let d = 0; d < denseDims; d++) {
              const w = model.denseWeights[dOff + d] ?? 0;
              model.denseWeights[dOff + d] = w - g * (example.dense[d] ?? 0) - rate * l2 * w;
            }
          }
        }
      }
    }
    return model;
  }

  /** The learned parameters, non-zero sparse buckets only; `fromWeights` rebuilds an identical model. */
  exportWeights(): ModelWeights {
    const { classes } = this;
    const buckets: number[] = [];
    for (let b = 0; b < sparseDims; b++) {
      for (let k = 0; k < classes; k++) {
        if (this.sparseWeights[k * sparseDims + b] !== 0) {
          buckets.push(b);
          break;
        }
      }
    }
    const sparseValues = new Float32Array(buckets.length * classes);
    buckets.forEach((b, n) => {
      for (let k = 0; k < classes; k++)
        sparseValues[n * classes + k] = this.sparseWeights[k * sparseDims + b] ?? 0;
    });
    return {
      classes,
      sparseIndices: Int32Array.from(buckets),
      sparseValues,
      denseDims: this.denseDims,
      denseWeights: this.denseWeights ? this.denseWeights.slice() : new Float32Array(0),
      bias: this.bias.slice(),
    };
  }

  /** Rebuilds a model from `exportWeights` output; throws on inconsistent lengths or out-of-range buckets. */
  static fromWeights(weights: ModelWeights): SoftmaxModel {
    const { classes, sparseIndices, sparseValues, denseDims, denseWeights, bias } = weights;
    if (!Number.isInteger(classes) || classes < 2) throw new Error(`bad class count ${classes}`);
    if (!Number.isInteger(denseDims) || denseDims < 0) throw new Error(`bad dense dims ${denseDims}`);
    if (bias.length !== classes) throw new Error('bias length does not match the class count');
    if (sparseValues.length !== sparseIndices.length * classes)
      throw new Error('sparse value count does not match the bucket count');
    if (denseWeights.length !== classes * denseDims)
      throw new Error('dense weight count does not match classes × dims');
    const sparse = new Float32Array(classes * sparseDims);
    let previous = -1;
    for (let n = 0; n < sparseIndices.length; n++) {
      const b = sparseIndices[n] ?? -1;
      if (b <= previous || b >= sparseDims) throw new Error(`sparse bucket ${b} out of order or range`);
      previous = b;
      for (let k = 0; k < classes; k++) sparse[k * sparseDims + b] = sparseValues[n * classes + k] ?? 0;
    }
    return new SoftmaxModel(
      classes,
      sparse,
      denseDims > 0 ? Float32Array.from(denseWeights) : null,
      denseDims,
      Float64Array.from(bias),
    );
  }

  /** Class probabilities for one input. */
  predict(sparse: SparseVector, dense?: Float32Array): number[] {
    const scores = new Float64Array(this.classes);
    this.scoresInto(sparse, dense, scores);
    softmaxInPlace(scores);
    return [...scores];
  }

  private scoresInto(sparse: SparseVector, dense: Float32Array | undefined, out: Float64Array): void {
    for (let k = 0; k < this.classes; k++) {
      let s = this.bias[k] ?? 0;
      const sOff = k * sparseDims;
      for (let n = 0; n < sparse.indices.length; n++)
        s += (this.sparseWeights[sOff + (sparse.indices[n] ?? 0)] ?? 0) * (sparse.values[n] ?? 0);
      if (this.denseWeights && dense) {
        const dOff = k * this.denseDims;
        for (let d = 0; d < this.denseDims; d++) s += (this.denseWeights[dOff + d] ?? 0) * (dense[d] ?? 0);
      }
      out[k] = s;
    }
  }
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  for (let k = 0; k < scores.length; k++) {
    const e = Math.exp((scores[k] ?? 0) - max);
    scores[k] = e;
    sum += e;
  }
  for (let k = 0; k < scores.length; k++) scores[k] = (scores[k] ?? 0) / sum;
}
