import type { ESLint } from 'eslint';

export type Layer = string | null;
export type ImportTarget = { kind: 'file'; layer: Layer } | { kind: 'package'; name: string };
export function layerOf(file: string): Layer;
export function violation(from: string, target: ImportTarget): string | null;
declare const plugin: ESLint.Plugin;
export default plugin;
