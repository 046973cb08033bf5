import { runService } from '@pinzhi/platform';
import { sameLineService } from './same-line-service.js';

runService(sameLineService);
