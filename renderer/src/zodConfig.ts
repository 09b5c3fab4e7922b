import { config } from 'zod';

// The console runs under a CSP without 'unsafe-eval'. Zod's object parser probes `new Function` when the
// contract's schemas are built, which such a CSP reports as a violation even though zod catches the throw.
// Jitless parsing skips the probe; the console parses a few small responses, so speed is not a concern.
// This module must be imported before anything that imports core/contract.
config({ jitless: true });
