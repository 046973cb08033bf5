// Loaded with `node --import`, before any instrumented module, so the patches take hold.
import { startTelemetry } from './telemetry.js';

startTelemetry();
