// The types of the CommonJS entry point: those of the ES module it loads.
export * from '../dist/index.js';
