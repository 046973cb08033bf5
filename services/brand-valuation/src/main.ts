import { runService } from '@pinzhi/platform';
import { brandValuationService } from './brand-valuation-service.js';

runService(brandValuationService);
