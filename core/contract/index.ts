export * from './errors.js';
export * from './tenant.js';
export * from './conversation.js';
export * from './knowledge.js';
export * from './connector.js';
export * from './store.js';
export * from './console-api.js';
export * from './desktop.js';
