import { runService } from '@pinzhi/platform';
import { portalService } from './portal-service.js';

runService(portalService);
