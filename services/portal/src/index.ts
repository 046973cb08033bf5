export { portalService } from './portal-service.js';
