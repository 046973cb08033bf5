// Loaded with `node --import`, before any instrumented module, so the patches take hold.
import { registerModuleHooks, startTelemetry } from './telemetry.js';

registerModuleHooks();
startTelemetry();
