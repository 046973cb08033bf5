// What other packages' tests may use of the portal.
export { portalService } from './portal-service.js';
