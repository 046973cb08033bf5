import { runService } from '@pinzhi/platform';
import { catalogueService } from './catalogue-service.js';

runService(catalogueService);
